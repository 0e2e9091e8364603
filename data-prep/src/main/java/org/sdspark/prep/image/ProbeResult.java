package org.sdspark.prep.image;

/** Format and dimensions read from an image header. */
public record ProbeResult(String format, int width, int height) {

    public long pixels() {
        return (long) width * height;
    }
}
