package org.sdspark.model.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * What a multistep sampler needs to remember earlier steps: a manager for the arrays it keeps,
 * which outlives each step's scope, and the order of steps, since each builds on the last ones.
 */
final class StepHistory implements AutoCloseable {
    private final String sampler;
    private final int steps;
    private NDManager memory;
    private int nextStep;

    StepHistory(String sampler, int steps) {
        this.sampler = sampler;
        this.steps = steps;
    }

    /** Checks that {@code stepIndex} is the next step; returns the manager kept arrays are attached to. */
    NDManager begin(int stepIndex, NDArray sample) {
        Tensors.checkStep(stepIndex, steps);
        if (stepIndex != nextStep) {
            throw new IllegalStateException(sampler + " steps must run in order: expected step " + nextStep
                    + ", got " + stepIndex + " (make a new sampler per run)");
        }
        if (memory == null) {
            memory = sample.getManager().getEngine().newBaseManager(sample.getDevice());
        }
        return memory;
    }

    /** The step begun last is done. */
    void end() {
        nextStep++;
    }

    /** Frees every kept array. */
    @Override
    public void close() {
        if (memory != null) {
            memory.close();
            memory = null;
        }
    }
}
