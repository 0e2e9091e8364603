package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last axis. */
public record LayerNorm(NDArray weight, NDArray bias, float eps) {

    public static LayerNorm load(Weights w, long dim, float eps) {
        return new LayerNorm(w.get("weight", dim), w.get("bias", dim), eps);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, eps)
                .singletonOrThrow();
    }
}
