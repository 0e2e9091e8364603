package org.sdspark.prep;

import com.typesafe.config.Config;
import java.io.Serializable;

/** Thresholds of the quality filter and the duplicate detection. */
public record FilterSettings(int minSide, double minBytesPerPixel, double maxAspect, long maxPixels,
                             int nearDuplicateDistance, boolean exactDuplicates) implements Serializable {

    /** Reads the {@code filter} block itself; error messages name keys relative to it. */
    public static FilterSettings from(Config c) {
        return read(new Block(c, ""));
    }

    static FilterSettings read(Block b) {
        int minSide = b.positive("min-side");
        double minBpp = b.nonNegative("min-bytes-per-pixel");
        double maxAspect = b.getDouble("max-aspect");
        if (!(maxAspect >= 1.0)) throw b.bad("max-aspect", "must be >= 1.0, got " + maxAspect);
        long maxPixels = b.positiveLong("max-pixels");
        int distance = b.atLeast("near-duplicate-distance", 0);
        if (distance > 63) throw b.bad("near-duplicate-distance", "must be <= 63, got " + distance);
        return new FilterSettings(minSide, minBpp, maxAspect, maxPixels, distance, b.getBoolean("exact-duplicates"));
    }
}
