package org.sdspark.jobs.latents;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.sdspark.jobs.train.data.DatasetRow;
import org.sdspark.jobs.train.data.ParquetRows;
import org.sdspark.jobs.train.data.PreparedDataset;
import org.sdspark.model.vae.LatentMoments;
import org.sdspark.model.vae.VaeIdentity;
import org.sdspark.prep.tensor.ResampleFilter;

/**
 * The cached latents of a prepared dataset, for training: read by row through Hadoop's FileSystem
 * (local, hdfs://, s3a://) without a SparkSession, fetching only the Parquet pages of the rows
 * asked for, like {@link PreparedDataset}. {@link #require} refuses latents that another VAE,
 * resize filter or flipping made. Not thread-safe.
 */
public final class CachedLatents {
    private static final List<String> SHAPE = List.of(LatentColumns.CHANNELS, LatentColumns.HEIGHT, LatentColumns.WIDTH);

    private final PreparedDataset dataset;
    private final LatentCacheInfo info;
    private final FloatStorage storage;
    private final ParquetRows plain;
    private final ParquetRows flipped;
    private Map<String, DatasetRow> rowsById;

    private CachedLatents(PreparedDataset dataset, LatentCacheInfo info, Configuration conf) {
        this.dataset = dataset;
        this.info = info;
        this.storage = FloatStorage.of(info.storage());
        this.plain = new ParquetRows(dataset, conf, columns(LatentColumns.MEAN, LatentColumns.LOGVAR));
        this.flipped = info.flip()
                ? new ParquetRows(dataset, conf, columns(LatentColumns.FLIPPED_MEAN, LatentColumns.FLIPPED_LOGVAR)) : null;
    }

    private static List<String> columns(String mean, String logvar) {
        List<String> columns = new ArrayList<>(List.of(mean, logvar));
        columns.addAll(SHAPE);
        return columns;
    }

    /** The latents of {@code dataset}; fails when it has none ({@code latents.json} is missing). */
    public static CachedLatents open(PreparedDataset dataset, Configuration conf) throws IOException {
        Path file = new Path(dataset.root(), LatentCacheInfo.FILE);
        FileSystem fs = file.getFileSystem(conf);
        if (!fs.exists(file)) {
            throw new IOException(dataset.root() + " has no cached latents (no " + LatentCacheInfo.FILE
                    + "; make them with sdspark cache-latents)");
        }
        try (var in = fs.open(file)) {
            return new CachedLatents(dataset, LatentCacheInfo.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8)), conf);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public LatentCacheInfo info() {
        return info;
    }

    /**
     * Fails, naming every difference in one message, unless these latents are what training with
     * {@code vae}, images resized with {@code resample}, and (with {@code randomFlip}) mirror
     * images would encode.
     */
    public void require(VaeIdentity vae, ResampleFilter resample, boolean randomFlip) {
        List<String> problems = new ArrayList<>();
        String mismatch = info.identity().mismatch(vae);
        if (mismatch != null) {
            problems.add("they were made by another VAE (" + info.vae() + "): cached " + mismatch + " in the model");
        }
        String filter = resample.name().toLowerCase(Locale.ROOT);
        if (!info.resample().equals(filter)) {
            problems.add("the images were resized with " + info.resample() + ", training resizes with " + filter);
        }
        if (randomFlip && !info.flip()) {
            problems.add("training flips images at random, but the cache has no mirror images (cache-latents flip = true)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the cached latents of " + dataset.root() + " do not fit this training run: "
                    + String.join("; ", problems) + ". Cache them again with sdspark cache-latents, or train from pixels");
        }
    }

    /** The latents of {@code rows}, in their order: of the mirror image where {@code flipped[i]}. */
    public List<LatentMoments> read(List<DatasetRow> rows, boolean[] flipped) throws IOException {
        if (flipped.length != rows.size()) {
            throw new IllegalArgumentException(rows.size() + " rows but " + flipped.length + " flip flags");
        }
        List<DatasetRow> plainRows = new ArrayList<>();
        List<DatasetRow> flippedRows = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            (flipped[i] ? flippedRows : plainRows).add(rows.get(i));
        }
        if (!flippedRows.isEmpty() && this.flipped == null) {
            throw new IllegalArgumentException(dataset.root() + " has no latents of mirror images (cached without flip)");
        }
        List<LatentMoments> plainLatents = decode(plainRows, plain.read(plainRows), LatentColumns.MEAN, LatentColumns.LOGVAR);
        List<LatentMoments> flippedLatents = flippedRows.isEmpty() ? List.of()
                : decode(flippedRows, this.flipped.read(flippedRows), LatentColumns.FLIPPED_MEAN, LatentColumns.FLIPPED_LOGVAR);
        List<LatentMoments> out = new ArrayList<>(rows.size());
        int p = 0;
        int f = 0;
        for (boolean flip : flipped) {
            out.add(flip ? flippedLatents.get(f++) : plainLatents.get(p++));
        }
        return out;
    }

    /** {@link #read} for rows named by their ids. */
    public List<LatentMoments> byId(List<String> ids, boolean[] flipped) throws IOException {
        if (rowsById == null) {
            rowsById = new HashMap<>();
            dataset.rows().forEach(r -> rowsById.put(r.id(), r));
        }
        List<DatasetRow> rows = new ArrayList<>(ids.size());
        for (String id : ids) {
            DatasetRow row = rowsById.get(id);
            if (row == null) {
                throw new IllegalArgumentException(dataset.root() + " has no row with id " + id);
            }
            rows.add(row);
        }
        return read(rows, flipped);
    }

    private List<LatentMoments> decode(List<DatasetRow> rows, List<Group> records, String mean, String logvar)
            throws IOException {
        List<LatentMoments> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            Group g = records.get(i);
            DatasetRow row = rows.get(i);
            String where = dataset.files().get(row.file()) + ", " + row.describe();
            for (String column : List.of(mean, logvar, LatentColumns.CHANNELS, LatentColumns.HEIGHT, LatentColumns.WIDTH)) {
                if (g.getFieldRepetitionCount(column) == 0) {
                    throw new IOException(where + ": no " + column);
                }
            }
            int channels = g.getInteger(LatentColumns.CHANNELS, 0);
            int height = g.getInteger(LatentColumns.HEIGHT, 0);
            int width = g.getInteger(LatentColumns.WIDTH, 0);
            try {
                out.add(new LatentMoments(storage.decode(g.getBinary(mean, 0).getBytes()),
                        storage.decode(g.getBinary(logvar, 0).getBytes()), channels, height, width));
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": " + e.getMessage() + " (stored as " + storage.code() + ")", e);
            }
        }
        return out;
    }
}
