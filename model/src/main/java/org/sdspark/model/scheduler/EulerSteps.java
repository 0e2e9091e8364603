package org.sdspark.model.scheduler;

/**
 * Euler's method on the probability-flow ODE in sigma space (Karras et al.), optionally with
 * ancestral noise. The sample lives in variance-exploding form x = x0 + sigma·eps, so the model
 * sees x / sqrt(sigma² + 1); sigmas are the training sigmas interpolated at the (possibly
 * fractional) timesteps, ending in 0.
 *
 * <p>A step moves along the derivative d = (x − x0)/sigma from sigma to sigma_down and, when
 * ancestral, adds fresh noise of scale sigma_up, where sigma_up² + sigma_down² = sigma_next² and
 * sigma_up = sigma_next·sqrt(1 − sigma_next²/sigma²); without noise sigma_down is sigma_next.
 *
 * <p>With Karras sigmas the n sigmas are spaced by {@link KarrasSigmas} between those of the
 * first and last spaced timestep, and the timesteps follow from the sigmas (fractional).
 * diffusers' EulerAncestralDiscreteScheduler has no Karras option; the ancestral sampler takes
 * EulerDiscreteScheduler's Karras schedule, as k-diffusion's sample_euler_ancestral (A1111's
 * "Euler a" with the Karras schedule) does.
 */
public final class EulerSteps {
    private final PredictionType prediction;
    private final boolean ancestral;
    private final double[] timesteps;
    private final double[] sigmas;
    private final double initNoiseSigma;

    /** One step: prev = combination(sample, model) + noise·z. */
    public record Step(Combination prev, double noise) {
    }

    public EulerSteps(SchedulerConfig config, int n, boolean ancestral, boolean karras) {
        NoiseSchedule schedule = NoiseSchedule.of(config);
        TimestepSpacing spacing = config.timestepSpacingOr(TimestepSpacing.LINSPACE);
        this.prediction = config.predictionType();
        this.ancestral = ancestral;
        this.timesteps = spacing.timesteps(config.numTrainTimesteps(), n, config.stepsOffset());
        this.sigmas = new double[n + 1];
        // diffusers keeps Euler timesteps and sigmas as float32, interpolating in float64 between
        double[] spaced = new double[n];
        for (int i = 0; i < n; i++) {
            timesteps[i] = (float) timesteps[i];
            spaced[i] = schedule.sigmaAt(timesteps[i]);
        }
        double[] chosen = karras ? KarrasSigmas.of(spaced[n - 1], spaced[0], n) : spaced;
        for (int i = 0; i < n; i++) {
            sigmas[i] = (float) chosen[i];
            if (karras) {
                timesteps[i] = (float) schedule.timestepOf(chosen[i]);
            }
        }
        float maxSigma = (float) sigmas[0];
        // diffusers' rule: sqrt(sigma_max² + 1) under leading spacing, sigma_max otherwise.
        this.initNoiseSigma = spacing == TimestepSpacing.LEADING
                ? (float) Math.sqrt(maxSigma * maxSigma + 1f) : maxSigma;
    }

    public double[] timesteps() {
        return timesteps.clone();
    }

    /** n + 1 values, the last 0. */
    public double[] sigmas() {
        return sigmas.clone();
    }

    public double initNoiseSigma() {
        return initNoiseSigma;
    }

    /** The model input is the sample divided by this. */
    public double inputDivisor(int k) {
        double s = sigmas[k];
        return Math.sqrt(s * s + 1);
    }

    public Step step(int k) {
        double sigma = sigmas[k];
        double next = sigmas[k + 1];
        double up = ancestral ? Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma)) : 0;
        double down = ancestral ? Math.sqrt(next * next - up * up) : next;
        // x0 from the variance-exploding sample: the variance-preserving one is x·alpha.
        double alpha = 1 / Math.sqrt(sigma * sigma + 1);
        Combination vp = prediction.x0(alpha, sigma * alpha);
        Combination x0 = new Combination(vp.sample() * alpha, vp.model());
        double dt = down - sigma;
        Combination prev = Combination.SAMPLE.plus(Combination.SAMPLE.minus(x0).times(dt / sigma));
        return new Step(prev, up);
    }
}
