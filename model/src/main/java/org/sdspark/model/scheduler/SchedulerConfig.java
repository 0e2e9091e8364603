package org.sdspark.model.scheduler;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The noise-schedule settings of a diffusers {@code scheduler_config.json}, whatever scheduler
 * class wrote it (an SD 1.5 folder ships a PNDMScheduler config; every sampler here reads it, as
 * diffusers' {@code from_config} does). Absent keys take diffusers' constructor defaults.
 *
 * <p>{@code timestep_spacing} stays empty when the file does not set it, because diffusers'
 * default differs by class (DDIM and DDPM: leading; Euler and DPM-Solver: linspace).
 *
 * <p>The keys that select an algorithm variant ({@code use_karras_sigmas}, {@code algorithm_type},
 * {@code solver_order}, {@code solver_type}, ...) are kept as written: a sampler chosen by its
 * diffusers class name reads them as that class would ({@link Samplers}), one chosen by its own
 * name ({@code dpmpp-2m-karras}) is what its name says. Keys that would change the noise schedule
 * in a way not implemented here are rejected unless they hold their default.
 *
 * @param useKarrasSigmas Karras et al.'s sigma spacing (Euler, DPM-Solver, UniPC)
 * @param algorithmType DPM-Solver's: {@code dpmsolver++} or {@code sde-dpmsolver++} (and the deprecated
 *     {@code dpmsolver}, {@code sde-dpmsolver}, which no sampler here implements)
 * @param solverOrder DPM-Solver's and UniPC's multistep order
 * @param solverType DPM-Solver's {@code midpoint} / {@code heun} or UniPC's {@code bh1} / {@code bh2};
 *     empty for each class's default
 * @param lowerOrderFinal UniPC's: first order on the last step
 * @param originalInferenceSteps LCM's distillation schedule length
 * @param timestepScaling LCM's boundary-condition time scale
 */
public record SchedulerConfig(
        String className,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        PredictionType predictionType,
        int stepsOffset,
        Optional<TimestepSpacing> timestepSpacing,
        boolean setAlphaToOne,
        boolean clipSample,
        double clipSampleRange,
        boolean useKarrasSigmas,
        String algorithmType,
        int solverOrder,
        Optional<String> solverType,
        boolean lowerOrderFinal,
        int originalInferenceSteps,
        double timestepScaling) {

    /** The algorithm_type values diffusers' DPMSolverMultistepScheduler knows. */
    public static final List<String> ALGORITHM_TYPES = List.of("dpmsolver++", "sde-dpmsolver++", "dpmsolver", "sde-dpmsolver");

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // Python's json writes -Infinity (lambda_min_clipped)
            .build();

    private static final Map<String, Predicate<JsonNode>> MUST_BE_DEFAULT = new LinkedHashMap<>();
    private static final List<String> SOLVER_TYPES = List.of("midpoint", "heun", "bh1", "bh2", "logrho");

    static {
        Predicate<JsonNode> isFalse = n -> n.isBoolean() && !n.booleanValue();
        MUST_BE_DEFAULT.put("trained_betas", JsonNode::isNull);
        for (String flag : new String[] {"rescale_betas_zero_snr", "thresholding",
                "use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas", "use_flow_sigmas",
                "use_dynamic_shifting", "euler_at_final"}) {
            MUST_BE_DEFAULT.put(flag, isFalse);
        }
        MUST_BE_DEFAULT.put("predict_x0", n -> n.isBoolean() && n.booleanValue());
        MUST_BE_DEFAULT.put("disable_corrector", n -> n.isArray() && n.isEmpty());
        MUST_BE_DEFAULT.put("sigma_min", JsonNode::isNull);
        MUST_BE_DEFAULT.put("sigma_max", JsonNode::isNull);
        MUST_BE_DEFAULT.put("interpolation_type", n -> n.asText().equals("linear"));
        MUST_BE_DEFAULT.put("timestep_type", n -> n.asText().equals("discrete"));
        MUST_BE_DEFAULT.put("final_sigmas_type", n -> n.asText().equals("zero"));
        MUST_BE_DEFAULT.put("lambda_min_clipped", n -> n.isNumber() && n.doubleValue() == Double.NEGATIVE_INFINITY);
    }

    public SchedulerConfig {
        timestepSpacing = timestepSpacing == null ? Optional.empty() : timestepSpacing;
        solverType = solverType == null ? Optional.empty() : solverType;
    }

    public static SchedulerConfig load(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new SchedulerConfigException("cannot read scheduler config " + file + ": " + e.getMessage(), e);
        }
    }

    public static SchedulerConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new SchedulerConfigException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        return parse(root, source);
    }

    public static SchedulerConfig parse(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new SchedulerConfigException(source + ": a scheduler config must be a JSON object");
        }
        Reader r = new Reader(root, source);
        MUST_BE_DEFAULT.forEach((key, isDefault) -> {
            JsonNode v = root.get(key);
            if (v != null && !v.isNull() && !isDefault.test(v)) {
                throw new SchedulerConfigException(source + ": scheduler config key '" + key + "' = " + v
                        + " is not supported (leave it unset or at diffusers' default)");
            }
        });
        int trainSteps = r.integer("num_train_timesteps", 1000, 1);
        double betaStart = r.beta("beta_start", 0.0001);
        double betaEnd = r.beta("beta_end", 0.02);
        BetaSchedule schedule = r.choice("beta_schedule", BetaSchedule.LINEAR,
                BetaSchedule.byConfigName(r.text("beta_schedule")), "linear, scaled_linear, squaredcos_cap_v2");
        PredictionType prediction = r.choice("prediction_type", PredictionType.EPSILON,
                PredictionType.byConfigName(r.text("prediction_type")), "epsilon, v_prediction, sample");
        Optional<TimestepSpacing> spacing = r.absent("timestep_spacing") ? Optional.empty()
                : Optional.of(r.choice("timestep_spacing", null,
                        TimestepSpacing.byConfigName(r.text("timestep_spacing")), "leading, trailing, linspace"));
        int stepsOffset = r.integer("steps_offset", 0, 0);
        boolean setAlphaToOne = r.bool("set_alpha_to_one", true);
        boolean clipSample = r.bool("clip_sample", true);
        double clipRange = r.positive("clip_sample_range", 1.0);
        String className = r.absent("_class_name") ? "" : r.text("_class_name");
        boolean karras = r.bool("use_karras_sigmas", false);
        String algorithm = r.oneOf("algorithm_type", "dpmsolver++", ALGORITHM_TYPES);
        int solverOrder = r.integer("solver_order", 2, 1);
        Optional<String> solverType = Optional.ofNullable(r.oneOf("solver_type", null, SOLVER_TYPES));
        boolean lowerOrderFinal = r.bool("lower_order_final", true);
        int originalSteps = r.integer("original_inference_steps", 50, 1);
        double timestepScaling = r.positive("timestep_scaling", 10.0);
        return new SchedulerConfig(className, trainSteps, betaStart, betaEnd, schedule, prediction, stepsOffset,
                spacing, setAlphaToOne, clipSample, clipRange, karras, algorithm, solverOrder, solverType, lowerOrderFinal,
                originalSteps, timestepScaling);
    }

    /** The configured spacing, or the default of the scheduler class that is asking. */
    public TimestepSpacing timestepSpacingOr(TimestepSpacing classDefault) {
        return timestepSpacing.orElse(classDefault);
    }

    /** Reads typed values, naming the key and the file in every complaint. */
    private record Reader(JsonNode root, String source) {

        boolean absent(String key) {
            JsonNode v = root.get(key);
            return v == null || v.isNull();
        }

        String text(String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                throw bad(key, v, "a string");
            }
            return v.textValue();
        }

        <T> T choice(String key, T fallback, T parsed, String allowed) {
            if (absent(key)) {
                return fallback;
            }
            if (parsed == null) {
                throw bad(key, root.get(key), "one of " + allowed);
            }
            return parsed;
        }

        String oneOf(String key, String fallback, List<String> allowed) {
            String v = text(key);
            return choice(key, fallback, v != null && allowed.contains(v) ? v : null, String.join(", ", allowed));
        }

        int integer(String key, int fallback, int min) {
            if (absent(key)) {
                return fallback;
            }
            JsonNode v = root.get(key);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min) {
                throw bad(key, v, "an integer >= " + min);
            }
            return v.intValue();
        }

        double beta(String key, double fallback) {
            if (absent(key)) {
                return fallback;
            }
            JsonNode v = root.get(key);
            if (!v.isNumber() || !(v.doubleValue() > 0 && v.doubleValue() < 1)) {
                throw bad(key, v, "a number in (0, 1)");
            }
            return v.doubleValue();
        }

        double positive(String key, double fallback) {
            if (absent(key)) {
                return fallback;
            }
            JsonNode v = root.get(key);
            if (!v.isNumber() || !(v.doubleValue() > 0)) {
                throw bad(key, v, "a positive number");
            }
            return v.doubleValue();
        }

        boolean bool(String key, boolean fallback) {
            if (absent(key)) {
                return fallback;
            }
            JsonNode v = root.get(key);
            if (!v.isBoolean()) {
                throw bad(key, v, "true or false");
            }
            return v.booleanValue();
        }

        private SchedulerConfigException bad(String key, JsonNode value, String expected) {
            return new SchedulerConfigException(source + ": scheduler config key '" + key + "' is " + value
                    + ", expected " + expected);
        }
    }
}
