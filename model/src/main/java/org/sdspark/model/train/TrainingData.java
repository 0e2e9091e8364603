package org.sdspark.model.train;

import java.util.Iterator;

/**
 * The micro-batches of a run, in order, from any position (resume): the data pipeline's side of
 * the loop. The iterator may be endless (epochs follow each other); the loop stops at its step count.
 */
@FunctionalInterface
public interface TrainingData {
    Iterator<TrainingBatch> from(DataPosition position);
}
