package org.sdspark.prep.filter;

public final class Hamming {
    private Hamming() {}

    /** Number of differing bits. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }
}
