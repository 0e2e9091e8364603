package org.sdspark.model.scheduler;

/**
 * The DDIM sampler as per-step coefficients:
 * x_prev = sqrt(alpha-bar_prev)·x0 + sqrt(1 − alpha-bar_prev − s²)·eps + s·z, with x0 and eps read
 * off the model output, x0 optionally clipped (the {@code clip_sample} setting), and fresh noise z
 * of scale s = eta·sqrt((1 − alpha-bar_prev)/(1 − alpha-bar)·(1 − alpha-bar/alpha-bar_prev)): eta = 0
 * is deterministic DDIM, eta = 1 the DDPM posterior's variance (Song et al. 2021, eq. 16).
 *
 * <p>As in diffusers, the previous timestep is always t − T/n whatever the spacing, and past
 * t = 0 the previous alpha-bar is 1 ({@code set_alpha_to_one}) or alpha-bar_0 (SD's configs).
 */
public final class DdimSteps {
    private final NoiseSchedule schedule;
    private final PredictionType prediction;
    private final double finalAlphaCumprod;
    private final long[] timesteps;
    private final int stride;
    private final double eta;

    /**
     * One step: x0 = x0Combination(sample, model), eps = epsilonCombination(sample, model),
     * prev = x0Weight·x0 + epsilonWeight·eps + noise·z.
     */
    public record Step(Combination x0, double x0Weight, Combination epsilon, double epsilonWeight, double noise) {
        /** The whole step as one combination, valid when x0 is not clipped. */
        public Combination prev() {
            return x0.times(x0Weight).plus(epsilon.times(epsilonWeight));
        }
    }

    public DdimSteps(SchedulerConfig config, int n, double eta) {
        if (!(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("ddim's eta must be in [0, 1], got " + eta);
        }
        this.eta = eta;
        this.schedule = NoiseSchedule.of(config);
        this.prediction = config.predictionType();
        this.finalAlphaCumprod = config.setAlphaToOne() ? 1.0 : schedule.alphaCumprod(0);
        this.timesteps = config.timestepSpacingOr(TimestepSpacing.LEADING)
                .integerTimesteps(config.numTrainTimesteps(), n, config.stepsOffset());
        this.stride = config.numTrainTimesteps() / n;
        for (long t : timesteps) {
            if (t >= config.numTrainTimesteps()) {
                throw new IllegalArgumentException("timestep " + t + " (steps_offset " + config.stepsOffset()
                        + ") is past the " + config.numTrainTimesteps() + " training timesteps");
            }
        }
    }

    public long[] timesteps() {
        return timesteps.clone();
    }

    public Step step(int k) {
        int t = (int) timesteps[k];
        int prevT = t - stride;
        double a = schedule.alphaCumprod(t);
        double aPrev = prevT >= 0 ? schedule.alphaCumprod(prevT) : finalAlphaCumprod;
        double alpha = Math.sqrt(a);
        double sigma = Math.sqrt(1 - a);
        double std = eta * Math.sqrt((1 - aPrev) / (1 - a) * (1 - a / aPrev));
        return new Step(prediction.x0(alpha, sigma), Math.sqrt(aPrev), prediction.epsilon(alpha, sigma),
                Math.sqrt(1 - aPrev - std * std), std);
    }
}
