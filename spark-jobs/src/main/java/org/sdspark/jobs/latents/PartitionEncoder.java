package org.sdspark.jobs.latents;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.sdspark.jobs.stage.ExecutorModels;
import org.sdspark.jobs.stage.StageRows;
import org.sdspark.model.vae.LatentMoments;
import org.sdspark.model.vae.VaeIdentity;
import org.sdspark.model.vae.VaeImageEncoder;
import org.sdspark.prep.LatentSettings;
import org.sdspark.prep.bucket.Bucket;
import org.sdspark.prep.bucket.BucketFit;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.tensor.TrainingCrop;
import org.sdspark.prep.tensor.TrainingImageTransform;

/**
 * Encodes one partition in batches of one bucket size: each row's image goes through the
 * recorded resize and crop (as training builds its pixels) and the VAE, with its mirror image
 * when flip is set; a row whose image cannot be made into pixels comes out with a reason instead
 * of stopping the job.
 */
final class PartitionEncoder implements MapPartitionsFunction<Row, Row> {
    private final LatentSettings settings;
    private final String dtype;
    private final FloatStorage storage;
    private final VaeIdentity driverVae;
    private final StageRows stageRows;
    private final LongAccumulator done;

    /**
     * @param dtype the VAE's precision, float16 or float32
     * @param driverVae the identity of the VAE the driver loaded: every executor must load the same
     */
    PartitionEncoder(LatentSettings settings, String dtype, FloatStorage storage, VaeIdentity driverVae,
                     StageRows stageRows, LongAccumulator done) {
        this.settings = settings;
        this.dtype = dtype;
        this.storage = storage;
        this.driverVae = driverVae;
        this.stageRows = stageRows;
        this.done = done;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        KeyedBatches<Row, Bucket> batches = new KeyedBatches<>(rows, PartitionEncoder::bucket, settings.batchSize());
        return new Iterator<>() {
            private Iterator<Row> batch = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!batch.hasNext() && batches.hasNext()) {
                    batch = encode(batches.next()).iterator();
                }
                return batch.hasNext();
            }

            @Override
            public Row next() {
                hasNext();
                return batch.next();
            }
        };
    }

    private List<Row> encode(List<Row> rows) {
        TrainingImageTransform transform = new TrainingImageTransform(settings.resample());
        List<Row> out = new ArrayList<>(rows.size());
        List<Row> encoded = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        for (Row row : rows) {
            byte[] image = row.getAs("image");
            if (image == null || image.length == 0) {
                out.add(stageRows.rejected(row, Reason.ZERO_BYTES.code(), "latents: the row has no image bytes"));
                continue;
            }
            try {
                pixels.add(transform.apply(image, crop(row), false));
                encoded.add(row);
            } catch (IOException | RuntimeException e) {
                // A decoder may fail with any exception on corrupt bytes; the row is reported, the job goes on.
                out.add(stageRows.rejected(row, Reason.UNDECODABLE.code(),
                        "latents: " + (e instanceof IOException ? e.getMessage() : e.toString())));
            }
        }
        if (!encoded.isEmpty()) {
            Bucket bucket = bucket(rows.get(0));
            List<LatentMoments> latents = vae().encode(pixels, bucket.height(), bucket.width(), settings.flip());
            int n = encoded.size();
            for (int i = 0; i < n; i++) {
                out.add(withLatents(encoded.get(i), latents.get(i), settings.flip() ? latents.get(n + i) : null));
            }
        }
        done.add(rows.size());
        return out;
    }

    private VaeImageEncoder vae() {
        VaeImageEncoder vae = ExecutorModels.forTask(VaeImageEncoder.class, settings.model(), dtype, VaeImageEncoder::load);
        String mismatch = driverVae.mismatch(vae.identity());
        if (mismatch != null) {
            throw new IllegalStateException("the VAE of " + settings.model() + " on this executor differs from the one the "
                    + "driver loaded (" + mismatch + "): every machine must read the same files");
        }
        return vae;
    }

    private Row withLatents(Row row, LatentMoments latents, LatentMoments flipped) {
        Map<String, Object> values = new HashMap<>();
        values.put(LatentColumns.CHANNELS, latents.channels());
        values.put(LatentColumns.HEIGHT, latents.height());
        values.put(LatentColumns.WIDTH, latents.width());
        values.put(LatentColumns.MEAN, stored(row, latents.mean()));
        values.put(LatentColumns.LOGVAR, stored(row, latents.logvar()));
        if (flipped != null) {
            values.put(LatentColumns.FLIPPED_MEAN, stored(row, flipped.mean()));
            values.put(LatentColumns.FLIPPED_LOGVAR, stored(row, flipped.logvar()));
        }
        return stageRows.copy(row, values);
    }

    private byte[] stored(Row row, float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                // Not the row's fault: the VAE overflowed in its precision, and would for other images too.
                throw new IllegalStateException("the VAE gave non-finite latents for row " + row.getAs("id") + " ("
                        + row.getAs("source") + ") in " + dtype + "; run it in float32 (sdspark.latents.dtype = float32)");
            }
        }
        return storage.encode(values);
    }

    private static Bucket bucket(Row row) {
        return new Bucket(row.getAs("bucket_width"), row.getAs("bucket_height"));
    }

    private static TrainingCrop crop(Row row) {
        BucketFit fit = new BucketFit(bucket(row), row.getAs("resized_width"), row.getAs("resized_height"),
                row.getAs("crop_left"), row.getAs("crop_top"));
        return new TrainingCrop(row.getAs("width"), row.getAs("height"), fit);
    }
}
