package org.sdspark.prep;

import com.typesafe.config.Config;

/** Aspect-ratio bucket geometry (kohya sd-scripts semantics) and concept balancing. */
public record BucketSettings(boolean enabled, int resolution, int minSide, int maxSide, int step,
                             boolean balanceConcepts) {

    public static BucketSettings from(Config c) {
        int resolution = Checks.positive(c, "resolution");
        int minSide = Checks.positive(c, "min-side");
        int maxSide = Checks.positive(c, "max-side");
        int step = Checks.positive(c, "step");
        if (minSide > maxSide) throw Checks.bad(c, "min-side", "must be <= max-side (" + maxSide + "), got " + minSide);
        if (resolution > maxSide) throw Checks.bad(c, "resolution", "must be <= max-side (" + maxSide + "), got " + resolution);
        if (resolution < step) throw Checks.bad(c, "resolution", "must be >= step (" + step + "), got " + resolution);
        if (minSide < step) throw Checks.bad(c, "min-side", "must be >= step (" + step + "), got " + minSide);
        return new BucketSettings(c.getBoolean("enabled"), resolution, minSide, maxSide, step,
                c.getBoolean("balance-concepts"));
    }
}
