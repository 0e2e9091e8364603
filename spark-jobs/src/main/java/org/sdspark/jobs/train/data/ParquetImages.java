package org.sdspark.jobs.train.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PrimitiveIterator;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/**
 * Image bytes of chosen rows of a prepared dataset, read through Hadoop's FileSystem without Spark.
 * Only the Parquet pages that hold the rows asked for are fetched: the image column's offset index
 * (Spark's Parquet writer writes one) maps a row to its page, and the rows of one row group are
 * read in one filtered pass. Memory per call is the pages of the rows asked for (an image larger
 * than the page size is a page of its own), not a row group; a file without an offset index is
 * read a row group at a time. Footers and offset indexes are kept once read (a few bytes per
 * image), so a file costs one footer read per run, not one per micro-batch. Not thread-safe.
 */
public final class ParquetImages {
    private final PreparedDataset dataset;
    private final Configuration conf;
    private final ParquetReadOptions options;
    private final Map<Integer, FileIndex> files = new HashMap<>();

    /** What is kept of one file: where it is, its footer, its row groups' first rows and page indexes. */
    private static final class FileIndex {
        final HadoopInputFile input;
        final ParquetMetadata footer;
        final long[] firstRow;
        final List<Optional<OffsetIndex>> pages;

        FileIndex(HadoopInputFile input, ParquetMetadata footer) {
            this.input = input;
            this.footer = footer;
            List<BlockMetaData> blocks = footer.getBlocks();
            this.firstRow = new long[blocks.size() + 1];
            for (int g = 0; g < blocks.size(); g++) firstRow[g + 1] = firstRow[g] + blocks.get(g).getRowCount();
            this.pages = new ArrayList<>(Collections.nCopies(blocks.size(), null));
        }

        /** The row group holding row {@code position} of the file, or -1. */
        int group(long position) {
            for (int g = 0; g + 1 < firstRow.length; g++) {
                if (position < firstRow[g + 1]) return position >= firstRow[g] ? g : -1;
            }
            return -1;
        }
    }

    public ParquetImages(PreparedDataset dataset, Configuration conf) {
        this.dataset = dataset;
        this.conf = conf;
        this.options = HadoopReadOptions.builder(conf).build();
    }

    /** The image bytes of {@code rows}, in their order. */
    public List<byte[]> read(List<DatasetRow> rows) throws IOException {
        // file -> row group -> row within the group -> indices of `rows` asking for it
        Map<Integer, Map<Integer, Map<Long, List<Integer>>>> wanted = new TreeMap<>();
        for (int i = 0; i < rows.size(); i++) {
            DatasetRow r = rows.get(i);
            FileIndex file = index(r.file());
            int group = file.group(r.position());
            if (group < 0) throw new IOException(dataset.files().get(r.file()) + " has no row " + r.position() + " for " + r.describe());
            wanted.computeIfAbsent(r.file(), f -> new TreeMap<>()).computeIfAbsent(group, g -> new TreeMap<>())
                    .computeIfAbsent(r.position() - file.firstRow[group], p -> new ArrayList<>()).add(i);
        }
        byte[][] out = new byte[rows.size()][];
        for (var byFile : wanted.entrySet()) {
            FileIndex file = files.get(byFile.getKey());
            try (ParquetFileReader reader = new ParquetFileReader(file.input, file.footer, options, file.input.newStream())) {
                for (var group : byFile.getValue().entrySet()) readGroup(reader, file, group.getKey(), group.getValue(), out);
            }
            for (List<Integer> askers : byFile.getValue().values().stream().flatMap(g -> g.values().stream()).toList()) {
                if (out[askers.get(0)] == null) {
                    throw new IOException(dataset.files().get(byFile.getKey()) + ": no image bytes for " + rows.get(askers.get(0)).describe());
                }
            }
        }
        return List.of(out);
    }

    private static void readGroup(ParquetFileReader reader, FileIndex file, int group, Map<Long, List<Integer>> positions,
                                  byte[][] out) throws IOException {
        BlockMetaData block = file.footer.getBlocks().get(group);
        if (file.pages.get(group) == null) file.pages.set(group, Optional.ofNullable(reader.readOffsetIndex(imageColumn(block))));
        Optional<OffsetIndex> pages = file.pages.get(group);
        RowRanges ranges = pages.isEmpty() ? RowRanges.createSingle(block.getRowCount())
                : RowRanges.create(block.getRowCount(), pagesHolding(pages.get(), positions.keySet()), pages.get());
        MessageType projection = new MessageType(PreparedDataset.IMAGE,
                file.footer.getFileMetaData().getSchema().getType(PreparedDataset.IMAGE));
        reader.setRequestedSchema(projection);
        try (PageReadStore store = reader.readFilteredRowGroup(group, ranges)) {
            RecordReader<Group> records = new ColumnIOFactory().getColumnIO(projection)
                    .getRecordReader(store, new GroupRecordConverter(projection));
            PrimitiveIterator.OfLong rowIndexes = store.getRowIndexes().orElse(null);
            for (long i = 0; i < store.getRowCount(); i++) {
                Group record = records.read();
                List<Integer> askers = positions.get(rowIndexes != null ? rowIndexes.nextLong() : i);
                if (askers == null || record.getFieldRepetitionCount(PreparedDataset.IMAGE) == 0) continue;
                byte[] bytes = record.getBinary(PreparedDataset.IMAGE, 0).getBytes();
                for (int asker : askers) out[asker] = bytes;
            }
        }
    }

    private static ColumnChunkMetaData imageColumn(BlockMetaData block) throws IOException {
        for (ColumnChunkMetaData c : block.getColumns()) {
            if (c.getPath().toDotString().equals(PreparedDataset.IMAGE)) return c;
        }
        throw new IOException("no column '" + PreparedDataset.IMAGE + "'");
    }

    /** Indexes of the pages that hold the given rows (ascending) of a row group. */
    private static PrimitiveIterator.OfInt pagesHolding(OffsetIndex pages, Iterable<Long> positions) {
        List<Integer> hit = new ArrayList<>();
        int page = 0;
        int last = -1;
        for (long position : positions) {
            while (page + 1 < pages.getPageCount() && pages.getFirstRowIndex(page + 1) <= position) page++;
            if (page != last) hit.add(page);
            last = page;
        }
        return hit.stream().mapToInt(Integer::intValue).iterator();
    }

    private FileIndex index(int file) throws IOException {
        FileIndex index = files.get(file);
        if (index == null) {
            HadoopInputFile input = HadoopInputFile.fromPath(new Path(dataset.files().get(file)), conf);
            try (ParquetFileReader reader = ParquetFileReader.open(input, options)) {
                index = new FileIndex(input, reader.getFooter());
            }
            files.put(file, index);
        }
        return index;
    }
}
