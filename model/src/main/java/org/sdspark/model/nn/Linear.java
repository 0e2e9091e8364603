package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;

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
        NDArray y = (bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight)
                : ai.djl.nn.core.Linear.linear(x, weight, bias)).singletonOrThrow();
        return adapter == null ? y : y.add(adapter.linear(x));
    }
}
