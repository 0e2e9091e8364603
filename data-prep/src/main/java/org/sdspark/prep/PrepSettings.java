package org.sdspark.prep;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;

/** Everything a preparation run needs, read once from {@code sdspark.prep} and validated. */
public record PrepSettings(List<InputSpec> inputs, String output, boolean overwrite, IngestSettings ingest,
                           FilterSettings filter, BucketSettings bucket, int partitions) {

    public static final String PATH = "sdspark.prep";

    public PrepSettings {
        inputs = List.copyOf(inputs);
    }

    /** Reads the {@code sdspark.prep} block of {@code c}; {@code c} must already include the defaults. */
    public static PrepSettings from(Config c) {
        Config prep = c.getConfig(PATH);
        IngestSettings ingest = IngestSettings.from(prep.getConfig("ingest"));
        List<InputSpec> inputs = prep.getConfigList("inputs").stream().map(i -> InputSpec.from(i, ingest)).toList();
        if (inputs.isEmpty()) throw Checks.bad(prep, "inputs", "must list at least one input { path = ... }");
        String output = prep.getString("output");
        if (output.isBlank()) throw Checks.bad(prep, "output", "must not be empty");
        return new PrepSettings(inputs, output, prep.getBoolean("overwrite"), ingest,
                FilterSettings.from(prep.getConfig("filter")), BucketSettings.from(prep.getConfig("bucket")),
                Checks.atLeast(prep, "partitions", 0));
    }

    /** Layers {@code user} over this module's reference.conf, resolves, and reads it. */
    public static PrepSettings load(Config user) {
        Config reference = ConfigFactory.defaultReference(PrepSettings.class.getClassLoader());
        return from(user.withFallback(reference).resolve());
    }
}
