package org.sdspark.prep.filter;

/** What the filter learnt about an accepted image; the inputs of duplicate detection and bucketing. */
public record ImageFacts(String format, int width, int height, long bytes, String sha256, long perceptualHash) {

    public long pixels() {
        return (long) width * height;
    }
}
