package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.Linear}: y = x W^T + b over the last axis. */
public record Linear(NDArray weight, NDArray bias) {

    public static Linear load(Weights w, long in, long out) {
        return new Linear(w.get("weight", out, in), w.get("bias", out));
    }

    public static Linear loadNoBias(Weights w, long in, long out) {
        return new Linear(w.get("weight", out, in), null);
    }

    public NDArray forward(NDArray x) {
        return (bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight)
                : ai.djl.nn.core.Linear.linear(x, weight, bias)).singletonOrThrow();
    }
}
