package org.sdspark.prep.filter;

import java.io.Serializable;

/** What the filter learnt about an accepted image; the inputs of duplicate detection and bucketing. */
public record ImageFacts(String format, int width, int height, long bytes, String sha256, long perceptualHash) implements Serializable {

    public long pixels() {
        return (long) width * height;
    }
}
