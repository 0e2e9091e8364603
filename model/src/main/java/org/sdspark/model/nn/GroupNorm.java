package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.GroupNorm} composed from layer norm: DJL's engine has no group_norm op, but a
 * group norm is a layer norm over each group once the tensor is reshaped to (N, G, C/G * H * W),
 * followed by the per-channel affine.
 */
public record GroupNorm(int groups, float eps, NDArray weight, NDArray bias) {

    public static GroupNorm load(Weights w, int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(w.key("weight") + ": " + channels
                    + " channels do not split into " + groups + " groups");
        }
        return new GroupNorm(groups, eps, w.get("weight", channels), w.get("bias", channels));
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long c = shape.get(1);
        NDArray grouped = x.reshape(n, groups, -1);
        NDArray normed = LayerNorm.normalize(grouped, eps).reshape(shape);
        long[] affine = new long[shape.dimension()];
        java.util.Arrays.fill(affine, 1);
        affine[1] = c;
        return normed.mul(weight.reshape(affine)).add(bias.reshape(affine));
    }
}
