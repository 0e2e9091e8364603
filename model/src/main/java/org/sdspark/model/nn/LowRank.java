package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The LoRA branch beside a frozen layer (PEFT's lora_A / lora_B): scale · B(A(dropout(x))), with
 * scale = alpha / rank. For a linear layer A is (rank, in) and B (out, rank); for a convolution
 * (LoCon) A is a (rank, in, k, k) convolution with the base layer's stride and padding and B a
 * 1×1 (out, rank, 1, 1) one.
 *
 * <p>{@code scale} is a 0-d engine tensor: autograd keeps the factor of a product for backward,
 * and DJL's {@code mul(Number)} puts it on a Java buffer that a GC may free first.
 */
public record LowRank(NDArray down, NDArray up, NDArray scale, double dropout, AdapterDropout dropouts, long keyHash) {

    static LowRank of(NDArray down, NDArray up, LoraSpec spec, AdapterDropout dropouts, String key) {
        NDArray scale = down.getManager().full(new Shape(), (float) spec.scale(), down.getDataType());
        return new LowRank(down, up, scale, spec.dropout(), dropouts, Seeds.of(key));
    }

    public int rank() {
        return (int) down.getShape().get(0);
    }

    NDArray linear(NDArray x) {
        NDArray h = Linear.apply(dropouts.apply(x, dropout, keyHash), down, null);
        return Linear.apply(h, up, null).mul(scale);
    }

    NDArray conv(NDArray x, int stride, int padding) {
        NDArray h = Conv2d.apply(dropouts.apply(x, dropout, keyHash), down, null, stride, padding);
        return Conv2d.apply(h, up, null, 1, 0).mul(scale);
    }
}
