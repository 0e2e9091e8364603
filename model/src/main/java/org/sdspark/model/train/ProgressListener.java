package org.sdspark.model.train;

/** Called after every optimizer step (and its checkpoint, if one was due). */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = report -> { };

    void onStep(StepReport report);
}
