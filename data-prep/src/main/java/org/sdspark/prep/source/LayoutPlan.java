package org.sdspark.prep.source;

import java.io.Serializable;
import java.util.List;
import org.sdspark.prep.filter.Rejection;

/**
 * The images of one input tree, the files that are not usable, the layout that was detected, and
 * for a parquet layout the Parquet files to read (empty otherwise).
 */
public record LayoutPlan(List<ImageEntry> images, List<Rejection> rejections, String detectedFormat,
                         List<String> parquetFiles) implements Serializable {

    public LayoutPlan {
        images = List.copyOf(images);
        rejections = List.copyOf(rejections);
        parquetFiles = List.copyOf(parquetFiles);
    }
}
