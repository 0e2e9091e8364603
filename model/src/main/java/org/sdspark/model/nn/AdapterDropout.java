package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * Dropout on the inputs of a plan's LoRA branches. Off until the training loop switches it on
 * for a micro-batch with that micro-batch's seed; each branch then draws its mask from the seed
 * mixed with its own key, so masks do not depend on the order layers run in.
 */
public final class AdapterDropout {
    private boolean active;
    private long seed;

    /** Masks from now on derive from {@code microBatchSeed}. */
    public void train(long microBatchSeed) {
        active = true;
        seed = microBatchSeed;
    }

    /** No dropout (evaluation, validation images, inference). */
    public void eval() {
        active = false;
    }

    NDArray apply(NDArray x, double p, long keyHash) {
        if (!active || p == 0) {
            return x;
        }
        // The mask is an engine tensor (it is saved for backward); the Number scalars here only
        // touch tensors autograd does not record.
        NDArray keep = EngineRandom.uniform(x.getManager(), Seeds.mix(seed, keyHash), x.getShape(), x.getDataType())
                .gte(p).toType(x.getDataType(), false).mul(1 / (1 - p));
        return x.mul(keep);
    }
}
