package org.sdspark.model.scheduler;

import java.util.List;

/** The samplers by the names the command line uses. */
public final class Samplers {
    public static final List<String> NAMES = List.of("ddim", "euler", "euler-a", "dpmpp-2m");

    private Samplers() {
    }

    /** A sampler for one run of {@code steps} steps over the noise schedule of {@code config}. */
    public static Sampler create(String name, SchedulerConfig config, int steps) {
        return switch (name) {
            case "ddim" -> new DdimSampler(config, steps);
            case "euler" -> new EulerSampler(config, steps, false);
            case "euler-a" -> new EulerSampler(config, steps, true);
            case "dpmpp-2m" -> new DpmSolverSampler(config, steps);
            default -> throw new IllegalArgumentException("unknown sampler '" + name + "', expected one of " + NAMES);
        };
    }
}
