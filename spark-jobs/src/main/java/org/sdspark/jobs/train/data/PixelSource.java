package org.sdspark.jobs.train.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.sdspark.model.train.TrainingBatch;
import org.sdspark.prep.tensor.TrainingImageTransform;

/** Image bytes from the Parquet, decoded, resized and cut to the row's bucket, flipped, in [-1, 1]. */
public final class PixelSource implements SampleSource {
    private final PreparedDataset dataset;
    private final ParquetImages images;
    private final TrainingImageTransform transform;

    public PixelSource(PreparedDataset dataset, Configuration conf, TrainingImageTransform transform) {
        this.dataset = dataset;
        this.images = new ParquetImages(dataset, conf);
        this.transform = transform;
    }

    @Override
    public TrainingBatch.ImageKind kind() {
        return TrainingBatch.ImageKind.PIXELS;
    }

    @Override
    public List<Callable<Values>> read(List<DatasetRow> rows, boolean[] flips) throws IOException {
        List<byte[]> bytes = images.read(rows);
        List<Callable<Values>> work = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            DatasetRow row = rows.get(i);
            byte[] data = bytes.get(i);
            boolean flip = flips[i];
            work.add(() -> {
                try {
                    var bucket = row.crop().fit().bucket();
                    return new Values(transform.apply(data, row.crop(), flip), 3, bucket.height(), bucket.width());
                } catch (IOException | RuntimeException e) {
                    throw new IOException(dataset.root() + ": cannot make training pixels of " + row.describe() + ": "
                            + e.getMessage(), e);
                }
            });
        }
        return work;
    }
}
