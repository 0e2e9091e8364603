package org.sdspark.model.scheduler;

import java.util.Arrays;

/**
 * The integer timesteps and float32 sigmas (n + 1, the last 0) of diffusers' multistep solvers,
 * DPM-Solver and UniPC: n + 1 points spaced over the schedule with the one at the end (t ~ 0)
 * dropped, or with Karras sigmas between the training table's smallest and largest sigma and
 * the timesteps read back from them.
 */
record MultistepSchedule(long[] timesteps, double[] sigmas) {

    /**
     * @param truncateCosineKarras DPM-Solver leaves Karras timesteps of the cosine schedule
     *     unrounded, and the int64 conversion then truncates them; UniPC rounds them all
     */
    static MultistepSchedule of(SchedulerConfig config, int n, boolean karras, boolean truncateCosineKarras, String sampler) {
        NoiseSchedule schedule = NoiseSchedule.of(config);
        int trainSteps = config.numTrainTimesteps();
        if (n < 1 || n >= trainSteps) {
            throw new IllegalArgumentException(sampler + " takes 1.." + (trainSteps - 1) + " steps, got " + n);
        }
        long[] timesteps;
        double[] sigmas = new double[n + 1];
        if (karras) {
            double[] k = KarrasSigmas.of(schedule.sigma(0), schedule.sigma(trainSteps - 1), n);
            boolean truncate = truncateCosineKarras && config.betaSchedule() == BetaSchedule.SQUAREDCOS_CAP_V2;
            timesteps = new long[n];
            for (int i = 0; i < n; i++) {
                double t = schedule.timestepOf(k[i]);
                timesteps[i] = truncate ? (long) t : (long) Math.rint(t);
                sigmas[i] = (float) k[i];
            }
            return new MultistepSchedule(timesteps, sigmas);
        }
        TimestepSpacing spacing = config.timestepSpacingOr(TimestepSpacing.LINSPACE);
        if (spacing == TimestepSpacing.TRAILING) {
            timesteps = spacing.integerTimesteps(trainSteps, n, config.stepsOffset());
        } else {
            // diffusers spaces n + 1 points over the schedule and drops the one at the end (t ~ 0)
            long[] all = spacing.integerTimesteps(trainSteps, n + 1, config.stepsOffset());
            timesteps = Arrays.copyOf(all, n);
        }
        for (int i = 0; i < n; i++) {
            sigmas[i] = (float) schedule.sigmaAt(timesteps[i]);
        }
        return new MultistepSchedule(timesteps, sigmas);
    }

    /** The variance-preserving signal scale alpha = 1 / sqrt(sigma² + 1) at step k. */
    double alpha(int k) {
        return 1 / Math.sqrt(sigmas[k] * sigmas[k] + 1);
    }

    /** The variance-preserving noise scale sigma·alpha at step k. */
    double sigmaVp(int k) {
        return sigmas[k] * alpha(k);
    }

    /** Log-SNR lambda = log(alpha / sigma_vp) at step k; +infinity at the final sigma 0. */
    double lambda(int k) {
        return Math.log(alpha(k)) - Math.log(sigmaVp(k));
    }
}
