package org.sdspark.model.train.optim;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.utils.clip_grad_norm_} over the flat gradients (the alignment gaps are zero). */
public final class GradientClipping {
    private GradientClipping() {
    }

    /**
     * Scales {@code gradients} in place by maxNorm / (norm + 1e-6) when that is below one, and
     * returns the global L2 norm before clipping; {@code maxNorm} ≤ 0 only measures.
     */
    public static double clip(NDArray gradients, double maxNorm) {
        double norm;
        try (NDArray n = gradients.norm()) {
            norm = n.getFloat();
        }
        double coefficient = maxNorm / (norm + 1e-6);
        if (maxNorm > 0 && coefficient < 1) {
            gradients.muli(coefficient);
        }
        return norm;
    }
}
