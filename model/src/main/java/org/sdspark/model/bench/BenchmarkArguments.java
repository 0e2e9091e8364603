package org.sdspark.model.bench;

import java.util.Iterator;

/** The option values of a benchmark's command line, with errors that name the option and the usage. */
public final class BenchmarkArguments {
    private BenchmarkArguments() {
    }

    public static String value(String option, Iterator<String> it, String usage) {
        if (!it.hasNext()) {
            throw new IllegalArgumentException(option + " needs a value; usage: " + usage);
        }
        return it.next();
    }

    public static int intValue(String option, Iterator<String> it, String usage) {
        String value = value(option, it, usage);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs an integer, not '" + value + "'");
        }
    }

    /**
     * The counts every benchmark takes: {@code batch >= 1}, at least {@code minSteps} timed steps
     * after at least {@code minWarmup} warm-up ones.
     */
    public static void requireCounts(int batch, int steps, int warmup, int minSteps, int minWarmup) {
        if (batch < 1 || steps < minSteps || warmup < minWarmup) {
            throw new IllegalArgumentException("need batch >= 1, steps >= " + minSteps + ", warmup >= " + minWarmup
                    + "; got batch " + batch + ", steps " + steps + ", warmup " + warmup);
        }
    }

    /** An image side the VAE divides into latents: a positive multiple of 8. */
    public static void requireResolution(int resolution) {
        if (resolution < 8 || resolution % 8 != 0) {
            throw new IllegalArgumentException("resolution must be a positive multiple of 8, got " + resolution);
        }
    }
}
