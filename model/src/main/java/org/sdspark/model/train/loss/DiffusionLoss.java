package org.sdspark.model.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.sdspark.model.scheduler.DdpmScheduler;

/**
 * The denoising loss of a micro-batch: Σ_i c_i · mean((pred_i − target_i)²) with the
 * {@link LossWeights} coefficients, in float32 whatever the model's type. The subtraction from the
 * float32 target promotes a float16 prediction differentiably (DJL's cast would cut the graph).
 */
public final class DiffusionLoss {
    private final DdpmScheduler scheduler;
    private final LossSettings settings;

    public DiffusionLoss(DdpmScheduler scheduler, LossSettings settings) {
        this.scheduler = scheduler;
        this.settings = settings;
    }

    public DdpmScheduler scheduler() {
        return scheduler;
    }

    public LossSettings settings() {
        return settings;
    }

    /** A recorded scalar; {@code target} must be float32. */
    public NDArray of(NDArray prediction, NDArray target, long[] timesteps, boolean[] prior) {
        return of(prediction, target, coefficients(prediction.getManager(), timesteps, prior));
    }

    /** As {@link #of(NDArray, NDArray, long[], boolean[])} with the {@link #coefficients} already made. */
    public NDArray of(NDArray prediction, NDArray target, NDArray coefficients) {
        NDArray perSample = prediction.sub(target).square().reshape(coefficients.getShape().get(0), -1).mean(new int[] {1});
        return perSample.mul(coefficients).sum();
    }

    /** The samples' coefficients c_i, float32 (B), in {@code manager}. */
    public NDArray coefficients(NDManager manager, long[] timesteps, boolean[] prior) {
        return engineOwned(manager, LossWeights.coefficients(timesteps, prior, settings, scheduler.schedule(),
                scheduler.predictionType()));
    }

    // Saved for backward: must live in engine memory, not on a Java buffer a GC can free.
    private static NDArray engineOwned(NDManager manager, double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        try (NDArray view = manager.create(f, new Shape(f.length))) {
            return view.duplicate(); // a clone: toType(FLOAT32, true) would keep the Java buffer
        }
    }
}
