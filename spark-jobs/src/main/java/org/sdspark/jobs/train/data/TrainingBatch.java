package org.sdspark.jobs.train.data;

import java.util.List;

/**
 * One rank's micro-batch {@code micro} of optimizer step {@code step} of {@code epoch}: instance
 * images first, then (prior preservation) their class images, each half of one size.
 */
public record TrainingBatch(int epoch, int step, int micro, List<TrainingSample> samples) {
    public TrainingBatch {
        samples = List.copyOf(samples);
    }
}
