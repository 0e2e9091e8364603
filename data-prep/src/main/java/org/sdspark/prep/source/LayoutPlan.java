package org.sdspark.prep.source;

import java.util.List;
import org.sdspark.prep.filter.Rejection;

/** The images of one input tree, the files that are not usable, and the layout that was detected. */
public record LayoutPlan(List<ImageEntry> images, List<Rejection> rejections, String detectedFormat) {

    public LayoutPlan {
        images = List.copyOf(images);
        rejections = List.copyOf(rejections);
    }
}
