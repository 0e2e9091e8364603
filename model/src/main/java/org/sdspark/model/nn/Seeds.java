package org.sdspark.model.nn;

/**
 * Seeds derived from several values by a 64-bit mix (SplitMix64's finaliser), so a random draw
 * is a pure function of what identifies it (run seed, step, sample, tensor key), never of how many
 * draws came before it.
 */
public final class Seeds {
    private Seeds() {
    }

    public static long mix(long... values) {
        long h = 0x9E3779B97F4A7C15L;
        for (long v : values) {
            h = finalise(h ^ finalise(v + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    /** A stable 64-bit value of a string (its UTF-16 units mixed in order). */
    public static long of(String text) {
        long h = 0;
        for (int i = 0; i < text.length(); i++) {
            h = finalise(h + text.charAt(i));
        }
        return h;
    }

    private static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
