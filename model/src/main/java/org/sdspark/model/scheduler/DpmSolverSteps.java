package org.sdspark.model.scheduler;

import java.util.Arrays;

/**
 * DPM-Solver++ (2M): a multistep exponential integrator in log-SNR lambda = log(alpha/sigma)
 * on the model's x0 predictions (Lu et al. 2022), midpoint form. The first step and the last
 * (which lands on sigma = 0) are first order; the others extrapolate from the current and the
 * previous x0 prediction.
 *
 * <p>With h = lambda_next − lambda, r = h_prev/h and w = alpha_next·(1 − e^(−h)):
 * first order x_next = (sigma_next/sigma)·x + w·x0; second order adds w·(x0 − x0_prev)/(2r).
 */
public final class DpmSolverSteps {
    private final PredictionType prediction;
    private final long[] timesteps;
    private final double[] sigmas;

    /**
     * One step: x0 = x0(sample, model) is this step's prediction (kept for the next step),
     * x_next = prev(sample, model) + previousX0Weight·x0_prev.
     */
    public record Step(Combination x0, Combination prev, double previousX0Weight) {
        public boolean usesPreviousX0() {
            return previousX0Weight != 0;
        }
    }

    public DpmSolverSteps(SchedulerConfig config, int n) {
        NoiseSchedule schedule = NoiseSchedule.of(config);
        TimestepSpacing spacing = config.timestepSpacingOr(TimestepSpacing.LINSPACE);
        int trainSteps = config.numTrainTimesteps();
        if (n < 1 || n >= trainSteps) {
            throw new IllegalArgumentException("dpmpp-2m takes 1.." + (trainSteps - 1) + " steps, got " + n);
        }
        this.prediction = config.predictionType();
        if (spacing == TimestepSpacing.TRAILING) {
            this.timesteps = spacing.integerTimesteps(trainSteps, n, config.stepsOffset());
        } else {
            // diffusers spaces n + 1 points over the schedule and drops the one at the end (t ~ 0)
            long[] all = spacing.integerTimesteps(trainSteps, n + 1, config.stepsOffset());
            this.timesteps = Arrays.copyOf(all, n);
        }
        this.sigmas = new double[n + 1];
        for (int i = 0; i < n; i++) {
            sigmas[i] = (float) schedule.sigmaAt(timesteps[i]);
        }
    }

    public long[] timesteps() {
        return timesteps.clone();
    }

    /** n + 1 values, the last 0. */
    public double[] sigmas() {
        return sigmas.clone();
    }

    public Step step(int k) {
        double sigma = sigmas[k];
        double alpha = 1 / Math.sqrt(sigma * sigma + 1);
        double sigmaVp = sigma * alpha;
        Combination x0 = prediction.x0(alpha, sigmaVp);
        double next = sigmas[k + 1];
        if (next == 0) {
            // The last step: lambda_next is +infinity, so even the first-order update lands on x0.
            return new Step(x0, x0, 0);
        }
        double alphaNext = 1 / Math.sqrt(next * next + 1);
        double sigmaNextVp = next * alphaNext;
        double h = lambda(alphaNext, sigmaNextVp) - lambda(alpha, sigmaVp);
        double w = -alphaNext * Math.expm1(-h);
        double sampleWeight = sigmaNextVp / sigmaVp;
        if (k == 0) {
            return new Step(x0, mix(sampleWeight, x0, w), 0);
        }
        double previous = sigmas[k - 1];
        double alphaPrevious = 1 / Math.sqrt(previous * previous + 1);
        double r = (lambda(alpha, sigmaVp) - lambda(alphaPrevious, previous * alphaPrevious)) / h;
        return new Step(x0, mix(sampleWeight, x0, w * (1 + 0.5 / r)), -w * 0.5 / r);
    }

    private static Combination mix(double sampleWeight, Combination x0, double x0Weight) {
        return Combination.SAMPLE.times(sampleWeight).plus(x0.times(x0Weight));
    }

    private static double lambda(double alpha, double sigma) {
        return Math.log(alpha) - Math.log(sigma);
    }
}
