package org.sdspark.model.train.optim;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.utils.clip_grad_norm_} over the flat gradients (the alignment gaps are zero). */
public final class GradientClipping {
    private GradientClipping() {
    }

    /** The global L2 norm of {@code gradients}. */
    public static double norm(NDArray gradients) {
        try (NDArray n = gradients.norm()) {
            return n.getFloat();
        }
    }

    /**
     * Scales {@code gradients} (whose global norm is {@code norm}) in place by maxNorm / (norm +
     * 1e-6) when that is below one; {@code maxNorm} ≤ 0 leaves them as they are.
     */
    public static void clip(NDArray gradients, double norm, double maxNorm) {
        double coefficient = maxNorm / (norm + 1e-6);
        if (maxNorm > 0 && coefficient < 1) {
            gradients.muli(coefficient);
        }
    }
}
