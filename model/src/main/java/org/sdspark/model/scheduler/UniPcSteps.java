package org.sdspark.model.scheduler;

/**
 * UniPC (Zhao et al. 2023), as diffusers' UniPCMultistepScheduler runs it with its defaults
 * (solver order 2, x0 prediction, B(h) = e^h − 1 "bh2" or B(h) = h "bh1"), as per-step
 * coefficients on x0 predictions in log-SNR lambda.
 *
 * <p>Each step k first corrects the sample it was given (from step k − 1's predictor) with the
 * model's new x0 prediction m_k (UniC), then predicts the next sample from the corrected one
 * (UniP): first order at the first step (and, with {@code lower_order_final}, the last), second
 * order between. The corrector has the order of the predictor it corrects.
 *
 * <p>At a final sigma of 0 the update is m_k, the limit of every order; diffusers computes
 * B(h)·0 there, which is NaN for bh1 or a second-order last step.
 */
public final class UniPcSteps {
    private final PredictionType prediction;
    private final MultistepSchedule schedule;
    private final boolean bh2;
    private final boolean lowerOrderFinal;

    /** x_next = sample·x + x0Now·m_k + x0Previous·m_(k−1). */
    public record Predictor(double sample, double x0Now, double x0Previous) {
    }

    /** x_corrected = lastSample·x_(k−1) + x0Now·m_k + x0Previous·m_(k−1) + x0BeforePrevious·m_(k−2). */
    public record Corrector(double lastSample, double x0Now, double x0Previous, double x0BeforePrevious) {
    }

    public UniPcSteps(SchedulerConfig config, int n, boolean karras) {
        if (config.solverOrder() != 2) {
            throw new IllegalArgumentException("unipc is implemented for solver_order 2 (diffusers' default), not "
                    + config.solverOrder());
        }
        this.prediction = config.predictionType();
        this.schedule = MultistepSchedule.of(config, n, karras, false, "unipc");
        // diffusers maps DPM-Solver's solver types onto bh2
        this.bh2 = !config.solverType().orElse("bh2").equals("bh1");
        this.lowerOrderFinal = config.lowerOrderFinal();
    }

    public long[] timesteps() {
        return schedule.timesteps().clone();
    }

    /** n + 1 values, the last 0. */
    public double[] sigmas() {
        return schedule.sigmas().clone();
    }

    /** The model output at step k as an x0 prediction. */
    public Combination x0(int k) {
        return prediction.x0(schedule.alpha(k), schedule.sigmaVp(k));
    }

    /** The predictor's order at step k: it warms up from 1 and, with lower_order_final, ends at 1. */
    int order(int k) {
        int n = schedule.timesteps().length;
        return Math.min(lowerOrderFinal ? Math.min(2, n - k) : 2, k + 1);
    }

    public Predictor predictor(int k) {
        if (schedule.sigmas()[k + 1] == 0) {
            return new Predictor(0, 1, 0);
        }
        double h = schedule.lambda(k + 1) - schedule.lambda(k);
        double alphaNext = schedule.alpha(k + 1);
        double now = -alphaNext * Math.expm1(-h);
        double sample = schedule.sigmaVp(k + 1) / schedule.sigmaVp(k);
        if (order(k) == 1) {
            return new Predictor(sample, now, 0);
        }
        // x_next −= alpha_next·B(h)·(1/2)·(m_(k−1) − m_k)/r with r = (lambda_(k−1) − lambda_k)/h
        double r = (schedule.lambda(k - 1) - schedule.lambda(k)) / h;
        double previous = -alphaNext * b(-h) * 0.5 / r;
        return new Predictor(sample, now - previous, previous);
    }

    /** Corrects the sample step k was given; k >= 1. */
    public Corrector corrector(int k) {
        double h = schedule.lambda(k) - schedule.lambda(k - 1);
        double hh = -h;
        double alpha = schedule.alpha(k);
        double bh = b(hh);
        double last = schedule.sigmaVp(k) / schedule.sigmaVp(k - 1);
        double previous = -alpha * Math.expm1(hh);
        if (order(k - 1) == 1) {
            // rho = 1/2 on D1_t = m_k − m_(k−1)
            return new Corrector(last, -alpha * bh * 0.5, previous + alpha * bh * 0.5, 0);
        }
        // rho solves [[1, 1], [r, 1]]·rho = [b1, b2] with phi-function moments b1, b2
        double r = (schedule.lambda(k - 2) - schedule.lambda(k - 1)) / h;
        double phi = Math.expm1(hh) / hh - 1;
        double b1 = phi / bh;
        double b2 = (phi / hh - 0.5) * 2 / bh;
        double rho0 = (b1 - b2) / (1 - r);
        double rho1 = b1 - rho0;
        // x −= alpha·B(h)·(rho0·(m_(k−2) − m_(k−1))/r + rho1·(m_k − m_(k−1)))
        double beforePrevious = -alpha * bh * rho0 / r;
        double now = -alpha * bh * rho1;
        return new Corrector(last, now, previous - beforePrevious - now, beforePrevious);
    }

    private double b(double hh) {
        return bh2 ? Math.expm1(hh) : hh;
    }
}
