package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Recording and backward without DJL's GradientCollector, which allows one collector per JVM
 * (a static flag) while Spark local[N] runs N training tasks in one JVM. PyTorch's grad mode is
 * per thread, so each task records on its own. Gradients accumulate in the parameters across
 * backward calls until zeroed.
 */
public final class Autograd {
    private Autograd() {
    }

    /** Runs {@code forward} with recording on, restoring the thread's previous mode. */
    public static <T> T recording(Supplier<T> forward) {
        return withMode(true, forward);
    }

    /** Runs {@code body} with recording off (in-place parameter updates need it). */
    public static <T> T paused(Supplier<T> body) {
        return withMode(false, body);
    }

    public static void paused(Runnable body) {
        withMode(false, () -> {
            body.run();
            return null;
        });
    }

    private static <T> T withMode(boolean on, Supplier<T> body) {
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(on);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(before);
        }
    }

    /** d(loss)/d(parameter) for every parameter that requires a gradient, added to what they hold. */
    public static void backward(NDArray loss) {
        backward(loss, 1);
    }

    /**
     * As {@link #backward(NDArray)} for {@code scale} · loss (loss scaling, accumulation), the
     * factor applied to the seed gradient so the loss itself never holds the scaled value.
     */
    public static void backward(NDArray loss, double scale) {
        try (NDArray seed = loss.getManager().full(loss.getShape(), (float) scale, loss.getDataType())) {
            backward(loss, seed);
        }
    }

    /** Backward seeded with {@code seed}, the gradient of the result with respect to {@code loss} (its shape). */
    public static void backward(NDArray loss, NDArray seed) {
        JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
    }

    /** Sets the gradient of {@code parameter} to zero (a no-op before its first backward). */
    public static void zeroGradient(NDArray parameter) {
        JniUtils.zeroGrad((PtNDArray) parameter);
    }
}
