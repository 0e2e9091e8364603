package org.sdspark.prep.plan;

import java.util.SplittableRandom;

/**
 * Random streams that are pure functions of their inputs (SplitMix64's finaliser chained over
 * them), so a decision depends on what it is about, never on what ran before or on which rank.
 */
final class Seeds {
    static final long SHUFFLE = 0x5348_5546_464CL;
    static final long FLIP = 0x464C_4950L;
    static final long CAPTION = 0x4341_5054L;

    private Seeds() {}

    static SplittableRandom random(long seed, long stream, long index) {
        return new SplittableRandom(mix(mix(mix(seed) ^ stream) ^ index));
    }

    /** A coin with probability {@code p} for item {@code index} of {@code stream}; p = 0 or 1 is exact. */
    static boolean chance(long seed, long stream, long index, double p) {
        if (p <= 0) return false;
        if (p >= 1) return true;
        return random(seed, stream, index).nextDouble() < p;
    }

    private static long mix(long z) {
        z += 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
