package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.Conv2d} with square kernel, stride and padding, plus a LoCon branch where the
 * component's {@link AdapterPlan} names this module (null otherwise).
 */
public record Conv2d(NDArray weight, NDArray bias, int stride, int padding, LowRank adapter) {

    public Conv2d(NDArray weight, NDArray bias, int stride, int padding) {
        this(weight, bias, stride, padding, null);
    }

    public static Conv2d load(Weights w, long in, long out, int kernel, int stride, int padding) {
        return new Conv2d(w.get("weight", out, in, kernel, kernel), w.get("bias", out), stride, padding,
                w.lowRankConv(in, out, kernel));
    }

    public NDArray forward(NDArray x) {
        NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias,
                new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
        return adapter == null ? y : y.add(adapter.conv(x, stride, padding));
    }
}
