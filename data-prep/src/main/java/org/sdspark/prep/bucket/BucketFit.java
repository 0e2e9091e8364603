package org.sdspark.prep.bucket;

import java.io.Serializable;

/**
 * How one image reaches its bucket: resize to {@code resizedWidth x resizedHeight} (covering the
 * bucket), then cut the bucket-sized window whose top-left corner is ({@code cropLeft}, {@code cropTop}).
 */
public record BucketFit(Bucket bucket, int resizedWidth, int resizedHeight, int cropLeft, int cropTop) implements Serializable {}
