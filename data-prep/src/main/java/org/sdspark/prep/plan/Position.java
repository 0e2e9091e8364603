package org.sdspark.prep.plan;

import java.io.Serializable;

/**
 * Where a run stands: the next optimizer step to take, as (epoch, step within the epoch). The plan
 * of an epoch is a function of the seed and the epoch alone, so this is all a resumed run needs.
 */
public record Position(int epoch, int step) implements Serializable {
    public static final Position START = new Position(0, 0);

    public Position {
        if (epoch < 0 || step < 0) throw new IllegalArgumentException("position (" + epoch + ", " + step + ")");
    }

    /** The position of the {@code globalStep}-th optimizer step (counting from 0) of a run. */
    public static Position ofGlobalStep(long globalStep, int stepsPerEpoch) {
        return new Position(Math.toIntExact(globalStep / stepsPerEpoch), (int) (globalStep % stepsPerEpoch));
    }

    public long globalStep(int stepsPerEpoch) {
        return (long) epoch * stepsPerEpoch + step;
    }

    public Position next(int stepsPerEpoch) {
        return step + 1 < stepsPerEpoch ? new Position(epoch, step + 1) : new Position(epoch + 1, 0);
    }
}
