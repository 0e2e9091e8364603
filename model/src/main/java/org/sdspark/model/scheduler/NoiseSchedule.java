package org.sdspark.model.scheduler;

/**
 * The training noise process: beta_t, and alpha-bar_t = prod(1 − beta) (diffusers'
 * {@code alphas_cumprod}), for t in 0..T−1. A noisy sample at t is
 * sqrt(alpha-bar_t)·x0 + sqrt(1 − alpha-bar_t)·eps.
 *
 * <p>Values are rounded to float32 as diffusers' tables are (torch's cumprod accumulates in double
 * on the CPU and stores float32); the sigma tables samplers derive from them match diffusers'
 * to float precision only if the rounding is the same.
 */
public final class NoiseSchedule {
    private final double[] betas;
    private final double[] alphasCumprod;

    private NoiseSchedule(double[] betas) {
        this.betas = betas;
        this.alphasCumprod = new double[betas.length];
        double product = 1;
        for (int t = 0; t < betas.length; t++) {
            product *= (float) (1 - (float) betas[t]);
            alphasCumprod[t] = (float) product;
        }
    }

    public static NoiseSchedule of(SchedulerConfig config) {
        return new NoiseSchedule(config.betaSchedule().betas(config.numTrainTimesteps(), config.betaStart(), config.betaEnd()));
    }

    public int trainSteps() {
        return betas.length;
    }

    public double[] betas() {
        return betas.clone();
    }

    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    public double alphaCumprod(int t) {
        return alphasCumprod[check(t)];
    }

    /** Signal-to-noise ratio alpha-bar / (1 − alpha-bar), falling with t (min-SNR loss weighting). */
    public double snr(int t) {
        double a = alphaCumprod(t);
        return a / (1 - a);
    }

    /** The variance-exploding noise level sqrt((1 − alpha-bar) / alpha-bar), in float32 as diffusers computes it. */
    public double sigma(int t) {
        float a = (float) alphaCumprod(t);
        return (float) Math.sqrt((1f - a) / a);
    }

    /** sigma at a possibly fractional timestep, interpolated linearly as numpy.interp does. */
    public double sigmaAt(double t) {
        if (!(t >= 0 && t <= betas.length - 1)) {
            throw new IllegalArgumentException("timestep " + t + " is outside 0.." + (betas.length - 1));
        }
        int low = (int) Math.floor(t);
        if (low == t || low == betas.length - 1) {
            return sigma(low);
        }
        double slope = sigma(low + 1) - sigma(low);
        return slope * (t - low) + sigma(low);
    }

    /**
     * The (fractional) timestep whose sigma is {@code sigma}: linear interpolation of log sigma
     * between the two training timesteps around it, clamped to the table (diffusers' _sigma_to_t,
     * whose table of log sigmas is float32).
     */
    public double timestepOf(double sigma) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int low = 0;
        for (int t = 0; t < betas.length; t++) {
            if (logSigma(t) <= logSigma) {
                low = t;
            }
        }
        low = Math.min(low, betas.length - 2);
        double lo = logSigma(low);
        double hi = logSigma(low + 1);
        double w = Math.min(1, Math.max(0, (lo - logSigma) / (lo - hi)));
        return (1 - w) * low + w * (low + 1);
    }

    private double logSigma(int t) {
        return (float) Math.log(sigma(t));
    }

    private int check(int t) {
        if (t < 0 || t >= betas.length) {
            throw new IllegalArgumentException("timestep " + t + " is outside 0.." + (betas.length - 1));
        }
        return t;
    }
}
