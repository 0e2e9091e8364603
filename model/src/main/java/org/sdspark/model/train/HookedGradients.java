package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.TorchExtension;

/**
 * A run of one with the torch extension loaded: hooks write each gradient into the flat buffer as
 * backward produces it, so that no gather of every parameter's gradient (several engine calls per
 * tensor) follows backward. There is nothing to reduce.
 */
final class HookedGradients implements GradientReducer {
    private final long hooks;

    HookedGradients(FlatParameters parameters, NDArray gradients) {
        this.hooks = TorchExtension.gradientHooks(gradients, parameters.tensors(), parameters.offsets());
    }

    /** The hooks tell a step's first micro-batch (copy) from later ones (add) themselves. */
    @Override
    public void beforeBackward(boolean last) {
    }

    @Override
    public void finish() {
        TorchExtension.finishGradientHooks(hooks);
    }

    @Override
    public void close() {
        TorchExtension.closeGradientHooks(hooks);
    }
}
