package org.sdspark.jobs.train.data;

import java.util.List;
import org.sdspark.prep.plan.Position;

/** The micro-batches of one optimizer step for one rank, and where the step is in the run. */
public record TrainingStep(Position position, List<TrainingBatch> microBatches) {
    public TrainingStep {
        microBatches = List.copyOf(microBatches);
    }
}
