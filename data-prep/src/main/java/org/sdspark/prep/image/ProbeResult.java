package org.sdspark.prep.image;

import java.io.Serializable;

/**
 * Format and dimensions read from an image header. Width and height are those of the upright
 * image, after the EXIF {@code orientation} (1 = none) is applied.
 */
public record ProbeResult(String format, int width, int height, int orientation) implements Serializable {

    public ProbeResult(String format, int width, int height) {
        this(format, width, height, ExifOrientation.NORMAL);
    }

    public long pixels() {
        return (long) width * height;
    }
}
