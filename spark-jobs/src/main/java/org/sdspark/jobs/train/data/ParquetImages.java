package org.sdspark.jobs.train.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;

/**
 * Image bytes of chosen rows of a prepared dataset, read through Hadoop's FileSystem without
 * Spark, fetching only the Parquet pages that hold them ({@link ParquetRows}). Not thread-safe.
 */
public final class ParquetImages {
    private final PreparedDataset dataset;
    private final ParquetRows rows;

    public ParquetImages(PreparedDataset dataset, Configuration conf) {
        this.dataset = dataset;
        this.rows = new ParquetRows(dataset, conf, List.of(PreparedDataset.IMAGE));
    }

    /** The image bytes of {@code rows}, in their order. */
    public List<byte[]> read(List<DatasetRow> rows) throws IOException {
        List<Group> records = this.rows.read(rows);
        List<byte[]> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            Group record = records.get(i);
            if (record.getFieldRepetitionCount(PreparedDataset.IMAGE) == 0) {
                DatasetRow row = rows.get(i);
                throw new IOException(dataset.files().get(row.file()) + ": no image bytes for " + row.describe());
            }
            out.add(record.getBinary(PreparedDataset.IMAGE, 0).getBytes());
        }
        return out;
    }
}
