package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.Supplier;

/**
 * Runs a block's forward with its intermediates in a sub-manager of its input's, freed when the
 * block returns. PyTorch frees an intermediate when its last reference goes; DJL keeps every array
 * until its manager closes, so without this a whole forward pass's temporaries (conv and
 * projection outputs that are only added to a residual) stay on the device until the model
 * returns. Autograd keeps what backward needs whatever DJL closes.
 */
public final class Scoped {
    private Scoped() {
    }

    /** {@code block} computes from {@code input}; its result moves to {@code input}'s manager. */
    public static NDArray forward(NDArray input, Supplier<NDArray> block) {
        NDManager caller = input.getManager();
        try (NDManager scope = caller.newSubManager()) {
            input.tempAttach(scope);
            NDArray out = block.get();
            out.attach(caller);
            return out;
        }
    }
}
