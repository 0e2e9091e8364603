package org.sdspark.model.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;
import org.sdspark.model.nn.Constants;

/**
 * The forward (noising) process for training: noisy latents at per-sample timesteps, the
 * regression target for the configured prediction type, and the SNR for min-SNR weighting.
 * Timesteps are an integer tensor of shape (B); coefficients broadcast over the other axes.
 */
public final class DdpmScheduler {
    private final NoiseSchedule schedule;
    private final PredictionType prediction;

    public DdpmScheduler(SchedulerConfig config) {
        this.schedule = NoiseSchedule.of(config);
        this.prediction = config.predictionType();
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    public PredictionType predictionType() {
        return prediction;
    }

    public int trainSteps() {
        return schedule.trainSteps();
    }

    /** sqrt(alpha-bar_t)·original + sqrt(1 − alpha-bar_t)·noise. */
    public NDArray addNoise(NDArray original, NDArray noise, NDArray timesteps) {
        return Tensors.scoped(original, () -> perSample(original, timesteps, this::signal).mul(original)
                .add(perSample(original, timesteps, this::noiseLevel).mul(noise)), original, noise);
    }

    /** The v-prediction target sqrt(alpha-bar_t)·noise − sqrt(1 − alpha-bar_t)·sample. */
    public NDArray velocity(NDArray sample, NDArray noise, NDArray timesteps) {
        return Tensors.scoped(sample, () -> perSample(sample, timesteps, this::signal).mul(noise)
                .sub(perSample(sample, timesteps, this::noiseLevel).mul(sample)), sample, noise);
    }

    /** What the model should output for latents noised with {@code noise} at {@code timesteps}. */
    public NDArray target(NDArray latents, NDArray noise, NDArray timesteps) {
        return switch (prediction) {
            case EPSILON -> noise.duplicate();
            case V_PREDICTION -> velocity(latents, noise, timesteps);
            case SAMPLE -> latents.duplicate();
        };
    }

    /** alpha-bar_t / (1 − alpha-bar_t) per sample, float32 of shape (B). */
    public NDArray snr(NDArray timesteps) {
        long[] t = timesteps.toLongArray();
        float[] out = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = (float) schedule.snr(index(t[i]));
        }
        return Constants.of(timesteps.getManager(), out, new Shape(out.length));
    }

    private double signal(int t) {
        return Math.sqrt(schedule.alphaCumprod(t));
    }

    private double noiseLevel(int t) {
        return Math.sqrt(1 - schedule.alphaCumprod(t));
    }

    /** One coefficient per sample, shaped (B, 1, 1, ...) to broadcast against {@code like}. */
    private NDArray perSample(NDArray like, NDArray timesteps, IntToDoubleFunction coefficient) {
        long[] t = timesteps.toLongArray();
        if (t.length != like.getShape().get(0)) {
            throw new IllegalArgumentException(t.length + " timesteps for a batch of " + like.getShape().get(0));
        }
        float[] values = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            values[i] = (float) coefficient.applyAsDouble(index(t[i]));
        }
        long[] shape = new long[like.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = t.length;
        return Constants.of(like.getManager(), values, new Shape(shape))
                .toType(like.getDataType(), false).toDevice(like.getDevice(), false);
    }

    private int index(long t) {
        if (t < 0 || t >= schedule.trainSteps()) {
            throw new IllegalArgumentException("timestep " + t + " is outside 0.." + (schedule.trainSteps() - 1));
        }
        return (int) t;
    }
}
