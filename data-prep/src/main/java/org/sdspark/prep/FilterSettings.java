package org.sdspark.prep;

import com.typesafe.config.Config;

/** Thresholds of the quality filter and the duplicate detection. */
public record FilterSettings(int minSide, double minBytesPerPixel, double maxAspect, long maxPixels,
                             int nearDuplicateDistance, boolean exactDuplicates) {

    public static FilterSettings from(Config c) {
        int minSide = Checks.positive(c, "min-side");
        double minBpp = Checks.nonNegative(c, "min-bytes-per-pixel");
        double maxAspect = c.getDouble("max-aspect");
        if (!(maxAspect >= 1.0)) throw Checks.bad(c, "max-aspect", "must be >= 1.0, got " + maxAspect);
        long maxPixels = Checks.positiveLong(c, "max-pixels");
        int distance = Checks.atLeast(c, "near-duplicate-distance", 0);
        if (distance > 63) throw Checks.bad(c, "near-duplicate-distance", "must be <= 63, got " + distance);
        return new FilterSettings(minSide, minBpp, maxAspect, maxPixels, distance, c.getBoolean("exact-duplicates"));
    }
}
