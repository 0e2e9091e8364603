package org.sdspark.jobs.prep;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.sdspark.prep.BucketSettings;
import org.sdspark.prep.bucket.AspectRatioBuckets;
import org.sdspark.prep.bucket.BucketFit;
import org.sdspark.prep.filter.QualityFilter;

/** Final `accepted/` rows: stable id, aspect-ratio bucket with its resize and crop, repeats. */
final class Bucketer implements MapPartitionsFunction<Row, Row> {

    private final BucketSettings settings;
    /** Balanced repeats per concept; empty keeps each image's folder repeats. */
    private final HashMap<String, Integer> conceptRepeats;

    Bucketer(BucketSettings settings, Map<String, Integer> conceptRepeats) {
        this.settings = settings;
        this.conceptRepeats = new HashMap<>(conceptRepeats);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> images) {
        AspectRatioBuckets buckets = AspectRatioBuckets.of(settings);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return images.hasNext();
            }

            @Override
            public Row next() {
                return accepted(buckets, images.next());
            }
        };
    }

    private Row accepted(AspectRatioBuckets buckets, Row r) {
        String source = r.getAs("source");
        int width = r.getAs("width");
        int height = r.getAs("height");
        String concept = r.getAs("concept");
        int repeats = conceptRepeats.getOrDefault(concept, r.getAs("repeats"));
        BucketFit fit = buckets.assign(width, height);
        return new RowBuilder(PrepSchema.ACCEPTED)
                .copy(r, "source", "image", "format", "width", "height", "caption", "caption_source", "concept", "sha256",
                        "phash", "image_path", "metadata")
                .set("id", id(source)).set("repeats", repeats)
                .set("bucket_width", fit.bucket().width()).set("bucket_height", fit.bucket().height())
                .set("resized_width", fit.resizedWidth()).set("resized_height", fit.resizedHeight())
                .set("crop_left", fit.cropLeft()).set("crop_top", fit.cropTop())
                .build();
    }

    /** 96 bits of the source's SHA-256: the same file gets the same id in every run. */
    static String id(String source) {
        return QualityFilter.sha256(source.getBytes(StandardCharsets.UTF_8)).substring(0, 24);
    }
}
