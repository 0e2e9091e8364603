package org.sdspark.model.lora;

import ai.djl.ndarray.NDArray;

/**
 * The adapter of one layer: {@code W' = W + scale * (alpha / rank) * up . down}, down (rank, in) or
 * (rank, in, k, k), up (out, rank) or (out, rank, 1, 1), as they are stored. The alpha is the one
 * that makes {@code alpha / rank} the layer's scale (rsLoRA files are converted on reading).
 */
public record LoraModule(ModuleRef module, NDArray down, NDArray up, double alpha) {

    public LoraModule {
        long[] d = down.getShape().getShape();
        long[] u = up.getShape().getShape();
        if (d.length < 2 || u.length < 2 || d[0] != u[1] || d[0] <= 0) {
            throw new IllegalArgumentException(module + ": down " + down.getShape() + " and up " + up.getShape()
                    + " are not a LoRA pair (down rank x in..., up out x rank...)");
        }
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException(module + ": alpha must be a positive number, got " + alpha);
        }
    }

    public int rank() {
        return (int) down.getShape().get(0);
    }

    /** alpha / rank, the factor kohya and PEFT put on up . down. */
    public double scale() {
        return alpha / rank();
    }
}
