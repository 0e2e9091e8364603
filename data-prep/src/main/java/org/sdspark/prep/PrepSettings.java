package org.sdspark.prep;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.Serializable;
import java.util.List;

/** Everything a preparation run needs, read once from {@code sdspark.prep} and validated. */
public record PrepSettings(List<InputSpec> inputs, String output, boolean overwrite, IngestSettings ingest,
                           FilterSettings filter, BucketSettings bucket, int partitions) implements Serializable {

    public static final String PATH = "sdspark.prep";

    public PrepSettings {
        inputs = List.copyOf(inputs);
    }

    /**
     * Reads the {@code sdspark.prep} block of {@code c}, which must already include the defaults
     * (see {@link #load}). Errors name the full key, e.g. {@code sdspark.prep.inputs[1].format}.
     */
    public static PrepSettings from(Config c) {
        Block prep = new Block(c, "").child(PATH);
        IngestSettings ingest = IngestSettings.read(prep.child("ingest"));
        List<InputSpec> inputs = prep.children("inputs").stream().map(i -> InputSpec.read(i, ingest)).toList();
        if (inputs.isEmpty()) throw prep.bad("inputs", "must list at least one input { path = ... }");
        FilterSettings filter = FilterSettings.read(prep.child("filter"));
        BucketSettings bucket = BucketSettings.read(prep.child("bucket"));
        if (bucket.noUpscale() && filter.minSide() < bucket.step()) {
            // a side shorter than one step would get a bucket side of 0
            throw prep.child("bucket").bad("no-upscale", "needs sdspark.prep.filter.min-side (" + filter.minSide()
                    + ") >= sdspark.prep.bucket.step (" + bucket.step() + ")");
        }
        return new PrepSettings(inputs, prep.requiredString("output"), prep.getBoolean("overwrite"), ingest,
                filter, bucket, prep.atLeast("partitions", 0));
    }

    /** Layers {@code user} over this module's reference.conf, resolves, and reads it. */
    public static PrepSettings load(Config user) {
        Config reference = ConfigFactory.defaultReference(PrepSettings.class.getClassLoader());
        return from(user.withFallback(reference).resolve());
    }
}
