package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/** {@code torch.nn.Conv2d} with square kernel, stride and padding. */
public record Conv2d(NDArray weight, NDArray bias, int stride, int padding) {
    // oneDNN's channel block; convolutions with other channel counts take its less-used kernels.
    private static final long ONEDNN_BLOCK = 16;

    public static Conv2d load(Weights w, long in, long out, int kernel, int stride, int padding) {
        return new Conv2d(w.get("weight", out, in, kernel, kernel), w.get("bias", out), stride, padding);
    }

    public NDArray forward(NDArray x) {
        if (backwardAvoidsOneDnn(x)) {
            return unfolded(x);
        }
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias,
                new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
    }

    /**
     * oneDNN, behind libtorch's CPU convolution, computes the backward of convolutions whose
     * channel counts are not multiples of its block wrongly on some CPUs (float32 input gradient
     * of a UNet's conv_out, 4 output channels, 0.3 relative error on AMD Zen 5; correct elsewhere).
     * So on the CPU, whenever autograd records such a convolution, it is composed from ops whose
     * backward is plain slicing and matrix products, whatever CPU this is. Inference and the GPU
     * keep the engine's convolution, its forward being right.
     */
    boolean backwardAvoidsOneDnn(NDArray x) {
        Shape w = weight.getShape();
        boolean offBlock = w.get(0) % ONEDNN_BLOCK != 0 || w.get(1) % ONEDNN_BLOCK != 0;
        return offBlock && !x.getDevice().isGpu() && JniUtils.isGradMode()
                && (x.hasGradient() || weight.hasGradient() || bias != null && bias.hasGradient());
    }

    /**
     * The convolution as one matrix product (im2col): each kernel tap's strided slice of the padded
     * input, stacked to (N, C·k·k, L) in the weight's (c, i, j) order, times the (out, C·k·k) weight.
     */
    private NDArray unfolded(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long out = weight.getShape().get(0);
        long k = weight.getShape().get(2);
        NDArray padded = padding == 0 ? x : x.pad(new Shape(padding, padding, padding, padding), 0);
        long height = (s.get(2) + 2L * padding - k) / stride + 1;
        long width = (s.get(3) + 2L * padding - k) / stride + 1;
        NDList taps = new NDList();
        for (long i = 0; i < k; i++) {
            for (long j = 0; j < k; j++) {
                taps.add(padded.get(new NDIndex().addAllDim(2)
                        .addSliceDim(i, i + stride * (height - 1) + 1, stride)
                        .addSliceDim(j, j + stride * (width - 1) + 1, stride)));
            }
        }
        NDArray columns = NDArrays.stack(taps, 2).reshape(n, -1, height * width);
        NDArray y = WeightViews.reshaped(weight, x, out, -1).matMul(columns).reshape(n, out, height, width);
        return bias == null ? y : y.add(WeightViews.reshaped(bias, x, 1, out, 1, 1));
    }
}
