package org.sdspark.model.scheduler;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The samplers by the names the command line uses. A name says the whole algorithm, as A1111's
 * sampler names do ({@code dpmpp-2m-karras} is "DPM++ 2M Karras"; A1111's labels are accepted
 * as written, in any case); the model's {@code scheduler_config.json} gives the noise schedule.
 * A diffusers class name ({@code DPMSolverMultistepScheduler}) picks the sampler that class is
 * with that config's variant keys ({@code use_karras_sigmas}, {@code algorithm_type}), as
 * {@code from_config} would build it.
 */
public final class Samplers {
    public static final List<String> NAMES = List.of("ddim", "euler", "euler-karras", "euler-a", "euler-a-karras",
            "dpmpp-2m", "dpmpp-2m-karras", "dpmpp-2m-sde", "dpmpp-2m-sde-karras", "unipc", "unipc-karras", "lcm");
    /** The diffusers scheduler classes a name can be resolved from. */
    public static final List<String> CLASSES = List.of("DDIMScheduler", "EulerDiscreteScheduler",
            "EulerAncestralDiscreteScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler", "LCMScheduler");

    private Samplers() {
    }

    /** A sampler for one run of {@code steps} steps over the noise schedule of {@code config}. */
    public static Sampler create(String name, SchedulerConfig config, int steps) {
        return create(name, config, steps, 0);
    }

    /** As {@link #create(String, SchedulerConfig, int)}; {@code eta} in [0, 1] is DDIM's noise (0 for every other sampler). */
    public static Sampler create(String name, SchedulerConfig config, int steps, double eta) {
        String resolved = resolve(name, config);
        if (eta != 0 && !resolved.equals("ddim")) {
            throw new IllegalArgumentException("eta is DDIM's; " + resolved + " takes none (got " + eta + ")");
        }
        boolean karras = resolved.endsWith("-karras");
        return switch (resolved.replace("-karras", "")) {
            case "ddim" -> new DdimSampler(config, steps, eta);
            case "euler" -> new EulerSampler(config, steps, false, karras);
            case "euler-a" -> new EulerSampler(config, steps, true, karras);
            case "dpmpp-2m" -> new DpmSolverSampler(config, steps, karras, false);
            case "dpmpp-2m-sde" -> new DpmSolverSampler(config, steps, karras, true);
            case "unipc" -> new UniPcSampler(config, steps, karras);
            case "lcm" -> new LcmSampler(config, steps);
            default -> throw new IllegalStateException(resolved);
        };
    }

    /** Whether {@code name} is a sampler name, an A1111 label of one, or a diffusers class name. */
    public static boolean isKnown(String name) {
        return fromLabel(name).isPresent() || CLASSES.contains(name);
    }

    /** The sampler name {@code name} stands for with {@code config} (only a class name needs the config). */
    public static String resolve(String name, SchedulerConfig config) {
        Optional<String> named = fromLabel(name);
        if (named.isPresent()) {
            return named.get();
        }
        if (CLASSES.contains(name)) {
            return fromClass(name, config);
        }
        throw new IllegalArgumentException("unknown sampler '" + name + "', expected one of " + String.join(", ", NAMES)
                + " (or an A1111 label such as \"DPM++ 2M Karras\", or a diffusers class such as DPMSolverMultistepScheduler)");
    }

    /** "DPM++ 2M Karras", "Euler a", "dpmpp_2m_sde" → dpmpp-2m-karras, euler-a, dpmpp-2m-sde; empty for anything else. */
    public static Optional<String> fromLabel(String label) {
        String normalised = label.trim().toLowerCase(Locale.ROOT).replace("++", "pp").replaceAll("[\\s_]+", "-");
        return NAMES.contains(normalised) ? Optional.of(normalised) : Optional.empty();
    }

    /** What diffusers' {@code <class>.from_config(config)} is; EulerAncestralDiscreteScheduler has no Karras option. */
    static String fromClass(String className, SchedulerConfig config) {
        String karras = config.useKarrasSigmas() ? "-karras" : "";
        return switch (className) {
            case "DDIMScheduler" -> "ddim";
            case "EulerDiscreteScheduler" -> "euler" + karras;
            case "EulerAncestralDiscreteScheduler" -> "euler-a";
            case "DPMSolverMultistepScheduler" -> dpmSolver(config) + karras;
            case "UniPCMultistepScheduler" -> "unipc" + karras;
            case "LCMScheduler" -> "lcm";
            default -> throw new IllegalArgumentException("no sampler for diffusers class " + className);
        };
    }

    private static String dpmSolver(SchedulerConfig config) {
        String unsupported = !config.algorithmType().endsWith("dpmsolver++")
                ? "algorithm_type '" + config.algorithmType() + "' (deprecated in diffusers; dpmsolver++ and sde-dpmsolver++ are)"
                : config.solverOrder() != 2 ? "solver_order " + config.solverOrder() + " (2M is order 2)"
                : config.solverType().orElse("midpoint").equals("heun") ? "solver_type 'heun' (midpoint is)" : null;
        if (unsupported != null) {
            throw new IllegalArgumentException("DPMSolverMultistepScheduler with " + unsupported + " is not implemented");
        }
        return config.algorithmType().equals("sde-dpmsolver++") ? "dpmpp-2m-sde" : "dpmpp-2m";
    }
}
