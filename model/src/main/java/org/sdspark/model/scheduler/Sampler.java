package org.sdspark.model.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * One sampling run of n steps (make a new one per run: DPM-Solver++ and UniPC remember earlier
 * steps). The denoising loop is:
 *
 * <pre>{@code
 * try (Sampler s = Samplers.create("euler", config, steps)) {
 *     x = initialNoise.mul(s.initNoiseSigma());
 *     for (int k = 0; k < s.steps(); k++) {
 *         NDArray out = unet(s.scaleModelInput(x, k), s.timesteps()[k], ...);
 *         x = s.step(out, k, x, s.needsNoise() ? randomNormal(x.getShape()) : null);
 *     }
 * }
 * }</pre>
 *
 * Arrays returned belong to the manager of the {@code sample} argument; intermediates are freed.
 */
public interface Sampler extends AutoCloseable {

    /** The name {@link Samplers#create} knows it by. */
    String name();

    /** The timesteps to give the model, in order; Euler's may be fractional. */
    double[] timesteps();

    default int steps() {
        return timesteps().length;
    }

    /** The initial latents are unit Gaussian noise times this; 1 unless the sampler works in sigma space. */
    default double initNoiseSigma() {
        return 1.0;
    }

    /** Whether {@link #step} needs a fresh unit Gaussian noise tensor (ancestral, SDE, DDIM with eta > 0, LCM). */
    default boolean needsNoise() {
        return false;
    }

    /**
     * The model's input at step k (a new array, even where it equals the sample). Samplers that
     * work in alpha space give the model the sample as it is.
     */
    default NDArray scaleModelInput(NDArray sample, int stepIndex) {
        Tensors.checkStep(stepIndex, steps());
        return Tensors.scoped(sample, sample::duplicate, sample);
    }

    /**
     * The sample after step k.
     *
     * @param noise unit Gaussian noise shaped like the sample when {@link #needsNoise()}, else ignored
     */
    NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NDArray noise);

    /** Frees what the run kept between steps. */
    @Override
    default void close() {
    }
}
