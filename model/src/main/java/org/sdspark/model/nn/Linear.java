package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.Linear}: y = x W^T + b over the last axis, plus a LoRA branch where the
 * component's {@link AdapterPlan} names this module (null otherwise).
 */
public record Linear(NDArray weight, NDArray bias, LowRank adapter) {

    public Linear(NDArray weight, NDArray bias) {
        this(weight, bias, null);
    }

    public static Linear load(Weights w, long in, long out) {
        return new Linear(w.get("weight", out, in), w.get("bias", out), w.lowRankLinear(in, out));
    }

    public static Linear loadNoBias(Weights w, long in, long out) {
        return new Linear(w.get("weight", out, in), null, w.lowRankLinear(in, out));
    }

    public NDArray forward(NDArray x) {
        NDArray y = bias == null ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow() : withBias(x);
        return adapter == null ? y : y.add(adapter.linear(x));
    }

    /**
     * The engine's linear (libtorch's C++ functional linear) sends only 2-D inputs to addmm, whose
     * GEMM adds the bias; others get a matmul and a separate broadcast add, which cost the SD UNet's
     * forward 10% on a GPU. So (..., in) runs as (N, in) and is viewed back.
     */
    private NDArray withBias(NDArray x) {
        Shape shape = x.getShape();
        if (shape.dimension() <= 2) {
            return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
        }
        long in = shape.get(shape.dimension() - 1);
        NDArray y = ai.djl.nn.core.Linear.linear(x.reshape(-1, in), weight, bias).singletonOrThrow();
        return y.reshape(shape.slice(0, shape.dimension() - 1).add(weight.getShape().get(0)));
    }
}
