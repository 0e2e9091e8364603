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

    // The branch's layers are plain Linear/Conv2d records, so whatever those do for correct
    // gradients (e.g. around a CPU library's faulty kernels) applies to the branch as well.
    NDArray linear(NDArray x) {
        NDArray h = new Linear(down, null).forward(dropouts.apply(x, dropout, keyHash));
        return new Linear(up, null).forward(h).mul(scale);
    }

    NDArray conv(NDArray x, int stride, int padding) {
        NDArray h = new Conv2d(down, null, stride, padding).forward(dropouts.apply(x, dropout, keyHash));
        return new Conv2d(up, null, 1, 0).forward(h).mul(scale);
    }
}
