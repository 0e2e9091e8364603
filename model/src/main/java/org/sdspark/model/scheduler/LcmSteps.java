package org.sdspark.model.scheduler;

/**
 * The Latent Consistency Model sampler (Luo et al. 2023), as diffusers' LCMScheduler: the
 * timesteps are n of the distillation schedule's {@code original_inference_steps} (every
 * T/original_steps-th timestep, ending at the last), each step maps the sample straight to the
 * consistency function's estimate denoised = c_out·x0 + c_skip·x (boundary conditions with
 * sigma_data = 0.5 at time t·{@code timestep_scaling}) and, except at the last step, noises it
 * again to the next timestep: sqrt(alpha-bar_next)·denoised + sqrt(1 − alpha-bar_next)·z.
 */
public final class LcmSteps {
    private static final double SIGMA_DATA = 0.5;

    private final NoiseSchedule schedule;
    private final PredictionType prediction;
    private final double timestepScaling;
    private final long[] timesteps;

    /** One step: denoised = cOut·x0(sample, model) + cSkip·sample; prev = signal·denoised + noise·z. */
    public record Step(Combination x0, double cOut, double cSkip, double signal, double noise) {
    }

    public LcmSteps(SchedulerConfig config, int n) {
        int trainSteps = config.numTrainTimesteps();
        int original = config.originalInferenceSteps();
        if (original > trainSteps) {
            throw new IllegalArgumentException("lcm: original_inference_steps " + original + " is more than the "
                    + trainSteps + " training timesteps");
        }
        if (n < 1 || n > original) {
            throw new IllegalArgumentException("lcm takes 1.." + original + " steps (original_inference_steps), got " + n);
        }
        this.schedule = NoiseSchedule.of(config);
        this.prediction = config.predictionType();
        this.timestepScaling = config.timestepScaling();
        int stride = trainSteps / original;
        this.timesteps = new long[n];
        for (int i = 0; i < n; i++) {
            // the distillation timesteps stride·j − 1 (j = original..1), every (original/n)-th of them
            int j = (int) Math.floor(i * (original / (double) n));
            timesteps[i] = (long) (original - j) * stride - 1;
        }
    }

    public long[] timesteps() {
        return timesteps.clone();
    }

    public Step step(int k) {
        int t = (int) timesteps[k];
        boolean last = k == timesteps.length - 1;
        double a = schedule.alphaCumprod(t);
        double aNext = schedule.alphaCumprod(last ? t : (int) timesteps[k + 1]);
        double scaled = t * timestepScaling;
        double cSkip = SIGMA_DATA * SIGMA_DATA / (scaled * scaled + SIGMA_DATA * SIGMA_DATA);
        double cOut = scaled / Math.sqrt(scaled * scaled + SIGMA_DATA * SIGMA_DATA);
        Combination x0 = prediction.x0(Math.sqrt(a), Math.sqrt(1 - a));
        return last ? new Step(x0, cOut, cSkip, 1, 0) : new Step(x0, cOut, cSkip, Math.sqrt(aNext), Math.sqrt(1 - aNext));
    }
}
