package org.sdspark.prep;

import com.typesafe.config.Config;
import java.io.Serializable;

/** Aspect-ratio bucket geometry (kohya sd-scripts semantics) and concept balancing. */
public record BucketSettings(boolean enabled, int resolution, int minSide, int maxSide, int step,
                             boolean balanceConcepts) implements Serializable {

    /** Reads the {@code bucket} block itself; error messages name keys relative to it. */
    public static BucketSettings from(Config c) {
        return read(new Block(c, ""));
    }

    static BucketSettings read(Block b) {
        int resolution = b.positive("resolution");
        int minSide = b.positive("min-side");
        int maxSide = b.positive("max-side");
        int step = b.positive("step");
        if (minSide > maxSide) throw b.bad("min-side", "must be <= max-side (" + maxSide + "), got " + minSide);
        if (resolution > maxSide) throw b.bad("resolution", "must be <= max-side (" + maxSide + "), got " + resolution);
        if (resolution < step) throw b.bad("resolution", "must be >= step (" + step + "), got " + resolution);
        if (minSide < step) throw b.bad("min-side", "must be >= step (" + step + "), got " + minSide);
        return new BucketSettings(b.getBoolean("enabled"), resolution, minSide, maxSide, step,
                b.getBoolean("balance-concepts"));
    }
}
