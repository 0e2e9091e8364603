package org.sdspark.model.train;

import java.util.List;

/** What a call to {@link Trainer#run} did: the steps [firstStep, lastStep) and their losses. */
public record TrainingResult(long firstStep, long endStep, List<Double> losses) {
    public TrainingResult {
        losses = List.copyOf(losses);
    }
}
