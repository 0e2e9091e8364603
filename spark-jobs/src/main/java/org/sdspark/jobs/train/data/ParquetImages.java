package org.sdspark.jobs.train.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PrimitiveIterator;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/**
 * Image bytes of chosen rows of a prepared dataset, read through Hadoop's FileSystem without Spark.
 * Only the Parquet pages that hold the rows asked for are fetched: the image column's offset index
 * (written by Spark's Parquet writer) maps a row to its page, and rows of one row group are read in
 * one filtered pass. So memory per call is the pages of the rows asked for (an image larger than
 * the page size is a page of its own), not a row group. A file without an offset index is read a
 * row group at a time. Keeps up to {@value #OPEN_FILES} files open; not thread-safe.
 */
public final class ParquetImages implements AutoCloseable {
    private static final int OPEN_FILES = 4;

    private final PreparedDataset dataset;
    private final Configuration conf;
    private final Map<Integer, ParquetFileReader> open = new LinkedHashMap<>(OPEN_FILES, 0.75f, true);

    public ParquetImages(PreparedDataset dataset, Configuration conf) {
        this.dataset = dataset;
        this.conf = conf;
    }

    /** The image bytes of {@code rows}, in their order. */
    public List<byte[]> read(List<DatasetRow> rows) throws IOException {
        // file -> row group -> position in row group -> indices of `rows` asking for it
        Map<Integer, Map<Integer, Map<Long, List<Integer>>>> wanted = new TreeMap<>();
        for (int i = 0; i < rows.size(); i++) {
            DatasetRow r = rows.get(i);
            ParquetFileReader reader = reader(r.file());
            long start = 0;
            int group = 0;
            List<BlockMetaData> blocks = reader.getRowGroups();
            while (group < blocks.size() && r.position() >= start + blocks.get(group).getRowCount()) {
                start += blocks.get(group++).getRowCount();
            }
            if (group == blocks.size()) {
                throw new IOException(dataset.files().get(r.file()) + " has no row " + r.position() + " for " + r.describe());
            }
            wanted.computeIfAbsent(r.file(), f -> new TreeMap<>()).computeIfAbsent(group, g -> new TreeMap<>())
                    .computeIfAbsent(r.position() - start, p -> new ArrayList<>()).add(i);
        }
        byte[][] out = new byte[rows.size()][];
        for (var file : wanted.entrySet()) {
            for (var group : file.getValue().entrySet()) {
                readGroup(file.getKey(), group.getKey(), group.getValue(), out, rows);
            }
        }
        return List.of(out);
    }

    private void readGroup(int file, int group, Map<Long, List<Integer>> positions, byte[][] out,
                           List<DatasetRow> rows) throws IOException {
        ParquetFileReader reader = reader(file);
        BlockMetaData block = reader.getRowGroups().get(group);
        ColumnChunkMetaData column = block.getColumns().stream()
                .filter(c -> c.getPath().toDotString().equals(PreparedDataset.IMAGE)).findFirst()
                .orElseThrow(() -> new IOException(dataset.files().get(file) + " has no column 'image'"));
        OffsetIndex pages = reader.readOffsetIndex(column);
        RowRanges ranges = pages == null ? RowRanges.createSingle(block.getRowCount())
                : RowRanges.create(block.getRowCount(), pagesHolding(pages, positions.keySet()), pages);
        MessageType projection = new MessageType("image",
                reader.getFooter().getFileMetaData().getSchema().getType(PreparedDataset.IMAGE));
        reader.setRequestedSchema(projection);
        try (PageReadStore store = reader.readFilteredRowGroup(group, ranges)) {
            RecordReader<Group> records = new ColumnIOFactory().getColumnIO(projection)
                    .getRecordReader(store, new GroupRecordConverter(projection));
            PrimitiveIterator.OfLong rowIndexes = store.getRowIndexes().orElse(null);
            for (long i = 0; i < store.getRowCount(); i++) {
                Group record = records.read();
                long position = rowIndexes != null ? rowIndexes.nextLong() : i;
                List<Integer> askers = positions.get(position);
                if (askers == null || record.getFieldRepetitionCount(PreparedDataset.IMAGE) == 0) continue;
                byte[] bytes = record.getBinary(PreparedDataset.IMAGE, 0).getBytes();
                for (int asker : askers) out[asker] = bytes;
            }
        }
        for (var e : positions.entrySet()) {
            if (out[e.getValue().get(0)] == null) {
                throw new IOException(dataset.files().get(file) + ": no image bytes read for " + rows.get(e.getValue().get(0)).describe());
            }
        }
    }

    /** Indexes of the pages that hold the given rows of the row group. */
    private static PrimitiveIterator.OfInt pagesHolding(OffsetIndex pages, Iterable<Long> positions) {
        List<Integer> hit = new ArrayList<>();
        int page = 0;
        int last = -1;
        for (long position : positions) { // ascending
            while (page + 1 < pages.getPageCount() && pages.getFirstRowIndex(page + 1) <= position) page++;
            if (page != last) hit.add(page);
            last = page;
        }
        return hit.stream().mapToInt(Integer::intValue).iterator();
    }

    private ParquetFileReader reader(int file) throws IOException {
        ParquetFileReader reader = open.get(file);
        if (reader != null) return reader;
        if (open.size() == OPEN_FILES) {
            var eldest = open.entrySet().iterator().next();
            eldest.getValue().close();
            open.remove(eldest.getKey());
        }
        reader = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(dataset.files().get(file)), conf));
        open.put(file, reader);
        return reader;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (ParquetFileReader reader : open.values()) {
            try {
                reader.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        open.clear();
        if (first != null) throw first;
    }
}
