package org.sdspark.prep.bucket;

import java.io.Serializable;

/** A training resolution; every image in a bucket is resized and cropped to exactly this size. */
public record Bucket(int width, int height) implements Comparable<Bucket>, Serializable {

    public double aspect() {
        return (double) width / height;
    }

    /** Orders like kohya's sorted list of (width, height) tuples. */
    @Override
    public int compareTo(Bucket o) {
        return width != o.width ? Integer.compare(width, o.width) : Integer.compare(height, o.height);
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
