package org.sdspark.model.scheduler;

/**
 * Which of the training timesteps a sampler of n steps visits, in descending order (Table 2 of
 * "Common Diffusion Noise Schedules and Sample Steps are Flawed"). Only "leading" adds
 * {@code steps_offset}, as in diffusers.
 */
public enum TimestepSpacing {
    /** Multiples of trainSteps / n counted from 0, shifted by steps_offset: SD 1.x's 901, 801, ..., 1. */
    LEADING("leading"),
    /** Multiples of trainSteps / n counted down from the last timestep: 999, 899, ..., 99. */
    TRAILING("trailing"),
    /** n evenly spaced points from trainSteps − 1 down to 0, fractional unless rounded. */
    LINSPACE("linspace");

    private final String configName;

    TimestepSpacing(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The timesteps as real numbers; only linspace can be fractional (the Euler samplers keep it so). */
    public double[] timesteps(int trainSteps, int n, int stepsOffset) {
        if (n < 1 || n > trainSteps) {
            throw new IllegalArgumentException("number of inference steps must be in 1.." + trainSteps + ", got " + n);
        }
        double[] t = new double[n];
        switch (this) {
            case LEADING -> {
                int ratio = trainSteps / n;
                for (int i = 0; i < n; i++) {
                    t[i] = (long) (n - 1 - i) * ratio + stepsOffset;
                }
            }
            case TRAILING -> {
                double ratio = trainSteps / (double) n;
                for (int i = 0; i < n; i++) {
                    t[i] = Math.rint(trainSteps - i * ratio) - 1;
                }
            }
            case LINSPACE -> {
                double[] up = linspace(0, trainSteps - 1, n);
                for (int i = 0; i < n; i++) {
                    t[i] = up[n - 1 - i];
                }
            }
        }
        return t;
    }

    /** The timesteps rounded half to even (numpy's round), as the integer-timestep samplers use them. */
    public long[] integerTimesteps(int trainSteps, int n, int stepsOffset) {
        double[] t = timesteps(trainSteps, n, stepsOffset);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = (long) Math.rint(t[i]);
        }
        return out;
    }

    /** numpy.linspace: start + i·step, with the endpoint set exactly. */
    static double[] linspace(double start, double stop, int n) {
        double[] out = new double[n];
        double step = n > 1 ? (stop - start) / (n - 1) : 0;
        for (int i = 0; i < n; i++) {
            out[i] = i * step + start;
        }
        if (n > 1) {
            out[n - 1] = stop;
        }
        return out;
    }

    static TimestepSpacing byConfigName(String name) {
        for (TimestepSpacing s : values()) {
            if (s.configName.equals(name)) {
                return s;
            }
        }
        return null;
    }
}
