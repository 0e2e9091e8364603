package org.sdspark.jobs.train.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.sdspark.model.scheduler.PredictionType;
import org.sdspark.model.train.Precision;
import org.sdspark.model.train.TrainableModels;
import org.sdspark.model.train.TrainingSettings;
import org.sdspark.model.train.loss.LossSettings;
import org.sdspark.model.train.optim.LearningRateSchedule;
import org.sdspark.model.train.optim.LossScaler;
import org.sdspark.model.train.optim.OptimizerSettings;
import org.sdspark.prep.Block;

/**
 * The loop's {@link TrainingSettings} from {@code sdspark.train}: what the method trains (the
 * parameter globs), the schedule, optimizer, precision, loss, EMA and checkpoints.
 */
public final class TrainSettingsReader {
    private static final List<String> LORA_UNET = List.of("unet.*.lora_A.weight", "unet.*.lora_B.weight");
    private static final List<String> LORA_TEXT = List.of("text_encoder.*.lora_A.weight", "text_encoder.*.lora_B.weight");

    private TrainSettingsReader() {
    }

    public static TrainingSettings read(Block train, TrainMethod method, Optional<DreamBoothSettings> dreambooth) {
        int steps = train.positive("steps");
        double lr = train.nonNegative("learning-rate");
        LearningRateSchedule.Kind kind = train.choice("lr-scheduler", LearningRateSchedule.Kind.class);
        int warmup = train.atLeast("lr-warmup-steps", 0);
        if (warmup > steps) {
            throw train.bad("lr-warmup-steps", "is " + warmup + ", more than the run's " + steps + " steps");
        }
        LearningRateSchedule schedule = new LearningRateSchedule(kind, lr, warmup, steps,
                kind == LearningRateSchedule.Kind.COSINE ? 0.5 : train.positive("lr-num-cycles"), train.nonNegative("lr-power"),
                1e-7);
        boolean text = method != TrainMethod.TEXTUAL_INVERSION && train.getBoolean("train-text-encoder");
        double textLr = train.nonNegative("text-encoder-learning-rate");
        TrainingSettings.Builder b = TrainingSettings.builder(trained(train, method, text), schedule)
                .optimizer(optimizer(train.child("optimizer")))
                .componentRates(text && textLr > 0 ? Map.of(TrainableModels.TEXT_ENCODER, textLr) : Map.of())
                .loss(new LossSettings(train.nonNegative("snr-gamma"), train.nonNegative("noise-offset"),
                        dreambooth.map(DreamBoothSettings::priorLossWeight).orElse(1.0)))
                .zeroTerminalSnr(train.getBoolean("zero-terminal-snr"))
                .accumulation(train.positive("gradient-accumulation"))
                .maxGradNorm(train.nonNegative("max-grad-norm"))
                .precision(precision(train))
                .cudaGraphs(train.getBoolean("cuda-graphs"))
                .scaler(LossScaler.Settings.TORCH)
                .seed(train.getLong("seed"))
                .clipSkip(train.positive("clip-skip") - 1)
                .checkpoints(train.atLeast("checkpoint-every", 0), train.positive("keep-checkpoints"));
        prediction(train).ifPresent(b::prediction);
        if (method.fullWeights()) {
            EmaSettings.read(train).ifPresent(b::ema);
        }
        return b.build();
    }

    private static List<String> trained(Block train, TrainMethod method, boolean text) {
        List<String> globs = new ArrayList<>();
        if (method.fullWeights()) {
            globs.addAll(train.getStringList("trained"));
            if (globs.isEmpty()) {
                throw train.bad("trained", "must list at least one parameter pattern, e.g. [\"unet.*\"]");
            }
            for (String g : globs) {
                if (!g.startsWith("unet.") && !g.startsWith("text_encoder.")) {
                    throw train.bad("trained", "has '" + g + "'; patterns start with unet. or text_encoder.");
                }
            }
            if (text) {
                globs.add("text_encoder.*");
            }
        } else if (method.lora()) {
            globs.addAll(LORA_UNET);
            if (text) {
                globs.addAll(LORA_TEXT);
            }
        } else {
            globs.add(TrainableModels.ADDED_EMBEDDINGS);
        }
        return globs;
    }

    private static OptimizerSettings optimizer(Block b) {
        OptimizerSettings.Kind kind = switch (b.getString("type")) {
            case "adamw" -> OptimizerSettings.Kind.ADAMW;
            case "adamw-8bit" -> OptimizerSettings.Kind.ADAMW_8BIT;
            case "sgd" -> OptimizerSettings.Kind.SGD;
            default -> throw b.bad("type", "is '" + b.getString("type") + "'; one of adamw, adamw-8bit, sgd");
        };
        double beta1 = b.nonNegative("beta1");
        double beta2 = b.nonNegative("beta2");
        double momentum = b.nonNegative("momentum");
        double eps = b.getDouble("epsilon");
        if (beta1 >= 1 || beta2 >= 1 || momentum >= 1) {
            throw b.bad(beta1 >= 1 ? "beta1" : beta2 >= 1 ? "beta2" : "momentum", "must be in [0, 1)");
        }
        if (!(eps > 0)) {
            throw b.bad("epsilon", "must be > 0, got " + eps);
        }
        return new OptimizerSettings(kind, beta1, beta2, eps, b.nonNegative("weight-decay"), momentum, b.getBoolean("nesterov"));
    }

    private static Precision precision(Block train) {
        String value = train.getString("mixed-precision");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "no", "fp32" -> Precision.FP32;
            case "fp16" -> Precision.FP16;
            default -> throw train.bad("mixed-precision", "is '" + value + "'; one of no, fp16 (bf16 is not available in DJL)");
        };
    }

    private static Optional<PredictionType> prediction(Block train) {
        String value = train.getString("prediction-type");
        return switch (value) {
            case "auto" -> Optional.empty();
            case "epsilon" -> Optional.of(PredictionType.EPSILON);
            case "v-prediction", "v_prediction" -> Optional.of(PredictionType.V_PREDICTION);
            default -> throw train.bad("prediction-type", "is '" + value + "'; one of auto, epsilon, v-prediction");
        };
    }
}
