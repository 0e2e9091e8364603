package org.sdspark.model.scheduler;

/**
 * The sigma spacing of Karras et al. 2022 (eq. 5, rho = 7): n noise levels from sigmaMax down to
 * sigmaMin, evenly spaced in sigma^(1/rho), so that steps crowd at low noise where detail forms.
 * A1111's "Karras" schedule and diffusers' {@code use_karras_sigmas}.
 */
final class KarrasSigmas {
    private static final double RHO = 7.0;

    private KarrasSigmas() {
    }

    /** In float64, as diffusers computes them before rounding to float32. */
    static double[] of(double sigmaMin, double sigmaMax, int n) {
        double[] ramp = TimestepSpacing.linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / RHO);
        double maxInvRho = Math.pow(sigmaMax, 1 / RHO);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), RHO);
        }
        return out;
    }
}
