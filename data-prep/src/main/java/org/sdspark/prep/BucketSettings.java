package org.sdspark.prep;

import com.typesafe.config.Config;
import java.io.Serializable;

/**
 * Aspect-ratio bucket geometry (kohya sd-scripts semantics) and concept balancing. With
 * {@code noUpscale} (kohya's {@code bucket_no_upscale}) an image is only ever shrunk: its bucket
 * is its own size (scaled down to about resolution² pixels when larger), cut to multiples of step.
 */
public record BucketSettings(boolean enabled, int resolution, int minSide, int maxSide, int step,
                             boolean balanceConcepts, boolean noUpscale) implements Serializable {

    public BucketSettings(boolean enabled, int resolution, int minSide, int maxSide, int step, boolean balanceConcepts) {
        this(enabled, resolution, minSide, maxSide, step, balanceConcepts, false);
    }

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
        boolean enabled = b.getBoolean("enabled");
        boolean noUpscale = b.getBoolean("no-upscale");
        if (noUpscale && !enabled) throw b.bad("no-upscale", "needs bucketing (enabled = true)");
        return new BucketSettings(enabled, resolution, minSide, maxSide, step, b.getBoolean("balance-concepts"), noUpscale);
    }
}
