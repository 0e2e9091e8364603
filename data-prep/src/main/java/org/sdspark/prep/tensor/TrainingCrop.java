package org.sdspark.prep.tensor;

import java.io.Serializable;
import org.sdspark.prep.bucket.BucketFit;

/**
 * What prep recorded about one accepted image that training needs to rebuild its pixels: the size
 * it decodes to, and how it reaches its bucket (resize, then the bucket-sized window at the crop corner).
 */
public record TrainingCrop(int width, int height, BucketFit fit) implements Serializable {

    public TrainingCrop {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size " + width + "x" + height);
        if (fit.resizedWidth() <= 0 || fit.resizedHeight() <= 0) {
            throw new IllegalArgumentException("resized size " + fit.resizedWidth() + "x" + fit.resizedHeight());
        }
        if (fit.cropLeft() < 0 || fit.cropTop() < 0
                || fit.cropLeft() + fit.bucket().width() > fit.resizedWidth()
                || fit.cropTop() + fit.bucket().height() > fit.resizedHeight()) {
            throw new IllegalArgumentException("crop " + fit.bucket() + " at (" + fit.cropLeft() + ", " + fit.cropTop()
                    + ") does not fit in the resized " + fit.resizedWidth() + "x" + fit.resizedHeight());
        }
    }
}
