package org.sdspark.prep.image;

import java.io.Serializable;

/** Format and dimensions read from an image header. */
public record ProbeResult(String format, int width, int height) implements Serializable {

    public long pixels() {
        return (long) width * height;
    }
}
