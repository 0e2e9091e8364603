package org.sdspark.model.scheduler;

/**
 * DPM-Solver++ (2M): a multistep exponential integrator in log-SNR lambda = log(alpha/sigma)
 * on the model's x0 predictions (Lu et al. 2022), midpoint form. The first step and the last
 * (which lands on sigma = 0) are first order; the others extrapolate from the current and the
 * previous x0 prediction.
 *
 * <p>With h = lambda_next − lambda, r = h_prev/h and w = alpha_next·(1 − e^(−h)):
 * first order x_next = (sigma_next/sigma)·x + w·x0; second order adds w·(x0 − x0_prev)/(2r).
 *
 * <p>The SDE variant ({@code sde-dpmsolver++}, A1111's "DPM++ 2M SDE") integrates the reverse SDE
 * instead: x_next = (sigma_next/sigma)·e^(−h)·x + w·x0 (+ the same second-order term) +
 * sigma_next·sqrt(1 − e^(−2h))·z with w = alpha_next·(1 − e^(−2h)) and fresh unit noise z.
 */
public final class DpmSolverSteps {
    private final PredictionType prediction;
    private final MultistepSchedule schedule;
    private final boolean sde;

    /**
     * One step: x0 = x0(sample, model) is this step's prediction (kept for the next step),
     * x_next = prev(sample, model) + previousX0Weight·x0_prev + noise·z.
     */
    public record Step(Combination x0, Combination prev, double previousX0Weight, double noise) {
        public boolean usesPreviousX0() {
            return previousX0Weight != 0;
        }
    }

    public DpmSolverSteps(SchedulerConfig config, int n, boolean karras, boolean sde) {
        this.prediction = config.predictionType();
        this.sde = sde;
        this.schedule = MultistepSchedule.of(config, n, karras, true, "dpmpp-2m" + (sde ? "-sde" : ""));
    }

    public long[] timesteps() {
        return schedule.timesteps().clone();
    }

    /** n + 1 values, the last 0. */
    public double[] sigmas() {
        return schedule.sigmas().clone();
    }

    public Step step(int k) {
        Combination x0 = prediction.x0(schedule.alpha(k), schedule.sigmaVp(k));
        if (schedule.sigmas()[k + 1] == 0) {
            // The last step: lambda_next is +infinity, so even the first-order update lands on x0.
            return new Step(x0, x0, 0, 0);
        }
        double h = schedule.lambda(k + 1) - schedule.lambda(k);
        double alphaNext = schedule.alpha(k + 1);
        double ratio = schedule.sigmaVp(k + 1) / schedule.sigmaVp(k);
        double sampleWeight = sde ? ratio * Math.exp(-h) : ratio;
        double w = sde ? -alphaNext * Math.expm1(-2 * h) : -alphaNext * Math.expm1(-h);
        double noise = sde ? schedule.sigmaVp(k + 1) * Math.sqrt(-Math.expm1(-2 * h)) : 0;
        if (k == 0) {
            return new Step(x0, mix(sampleWeight, x0, w), 0, noise);
        }
        double r = (schedule.lambda(k) - schedule.lambda(k - 1)) / h;
        return new Step(x0, mix(sampleWeight, x0, w * (1 + 0.5 / r)), -w * 0.5 / r, noise);
    }

    private static Combination mix(double sampleWeight, Combination x0, double x0Weight) {
        return Combination.SAMPLE.times(sampleWeight).plus(x0.times(x0Weight));
    }
}
