package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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

    /**
     * PyTorch's group_norm through the {@link TorchExtension} where it is loaded (one kernel; only
     * the input and the statistics kept for backward), else {@link #composed}.
     */
    public NDArray forward(NDArray x) {
        if (TorchExtension.fuses(TorchExtension.Op.GROUP_NORM)) {
            return TorchExtension.groupNorm(x, groups, weight, bias, eps);
        }
        return composed(x);
    }

    /**
     * From DJL ops, and the reference the fused kernel is tested against. The per-group statistics
     * come from the engine's layer norm over the grouped view: one kernel, differentiable, and in
     * float16 it accumulates in float32 (a composed variance of large float16 activations
     * overflows; casting instead would cut the autograd graph, DJL's toType being non-differentiable).
     */
    public NDArray composed(NDArray x) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long c = shape.get(1);
        NDArray grouped = x.reshape(n, groups, -1);
        Shape normalized = new Shape(grouped.getShape().get(2));
        NDManager m = x.getManager();
        NDArray normed = ai.djl.nn.norm.LayerNorm.layerNorm(grouped, normalized,
                m.ones(normalized, x.getDataType()), m.zeros(normalized, x.getDataType()), eps).singletonOrThrow().reshape(shape);
        long[] affine = new long[shape.dimension()];
        java.util.Arrays.fill(affine, 1);
        affine[1] = c;
        return normed.mul(WeightViews.reshaped(weight, x, affine)).add(WeightViews.reshaped(bias, x, affine));
    }
}
