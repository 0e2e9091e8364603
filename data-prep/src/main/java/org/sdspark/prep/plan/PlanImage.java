package org.sdspark.prep.plan;

import java.io.Serializable;
import org.sdspark.prep.bucket.Bucket;

/**
 * One training image as the planner sees it: the caller's row number for it (what a {@link Sample}
 * hands back), its bucket, and how often it is seen per epoch (kohya repeats).
 */
public record PlanImage(int row, Bucket bucket, int repeats) implements Serializable {
    public PlanImage {
        if (repeats < 1) throw new IllegalArgumentException("row " + row + " has repeats " + repeats + "; at least 1");
    }
}
