package org.sdspark.jobs.train;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.sdspark.jobs.train.distributed.DistributedSettings;
import org.sdspark.model.train.Precision;
import org.sdspark.model.train.TrainingSettings;
import org.sdspark.model.train.loss.LossSettings;
import org.sdspark.model.train.optim.LearningRateSchedule;
import org.sdspark.model.train.optim.LossScaler;
import org.sdspark.model.train.optim.OptimizerSettings;
import org.sdspark.prep.Block;
import org.sdspark.prep.plan.PlanSettings;

/**
 * {@code sdspark.train}, read once and validated: what to train (a model every executor can read,
 * a prepared dataset, parameter globs), how (steps, batch per worker, accumulation, learning-rate
 * schedule, precision, clipping, data augmentation), where the run's checkpoints and metrics go,
 * and how it is distributed. This is the minimal set the distributed job needs; recipes add keys.
 */
public record TrainConfig(String model, String dataset, String output, int steps, int batchSize, int accumulation,
                          double learningRate, LearningRateSchedule.Kind schedule, int warmupSteps, List<String> trained,
                          Precision precision, long seed, double maxGradNorm, double flipProbability, double captionDropout,
                          int checkpointEvery, int keepCheckpoints, int loaderThreads, int prefetch,
                          DistributedSettings distributed) {

    public static final String PATH = "sdspark.train";

    public TrainConfig {
        trained = List.copyOf(trained);
    }

    public static TrainConfig from(Config c) {
        Block train = new Block(c, "").child(PATH);
        Block loader = train.child("loader");
        List<String> trained = train.getStringList("trained");
        if (trained.isEmpty()) {
            throw train.bad("trained", "must list at least one parameter pattern, e.g. [\"unet.*\"]");
        }
        double flip = train.nonNegative("flip-probability");
        double dropout = train.nonNegative("caption-dropout");
        if (flip > 1 || dropout > 1) {
            throw train.bad(flip > 1 ? "flip-probability" : "caption-dropout", "must be a probability in [0, 1]");
        }
        return new TrainConfig(train.requiredString("model"), train.requiredString("dataset"), train.requiredString("output"),
                train.positive("steps"), train.positive("batch-size"), train.positive("gradient-accumulation"),
                train.nonNegative("learning-rate"), train.choice("lr-scheduler", LearningRateSchedule.Kind.class),
                train.atLeast("lr-warmup-steps", 0), trained, precision(train), train.getLong("seed"),
                train.nonNegative("max-grad-norm"), flip, dropout, train.atLeast("checkpoint-every", 0),
                train.positive("keep-checkpoints"), loader.positive("threads"), loader.positive("prefetch"),
                DistributedSettings.read(train));
    }

    private static Precision precision(Block train) {
        String value = train.getString("mixed-precision");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "no", "fp32" -> Precision.FP32;
            case "fp16" -> Precision.FP16;
            default -> throw train.bad("mixed-precision", "is '" + value + "'; one of no, fp16 (bf16 is not available in DJL)");
        };
    }

    /** The training loop's settings (flips and caption dropout belong to the data plan). */
    public TrainingSettings trainingSettings() {
        return new TrainingSettings(trained, OptimizerSettings.adamW(OptimizerSettings.Kind.ADAMW),
                LearningRateSchedule.of(schedule, learningRate, warmupSteps, steps), Map.of(), LossSettings.PLAIN,
                Optional.empty(), false, accumulation, maxGradNorm, precision, LossScaler.Settings.TORCH, Optional.empty(),
                seed, 0, checkpointEvery, keepCheckpoints);
    }

    /** The data plan for a run of {@code workers} ranks. */
    public PlanSettings planSettings(int workers) {
        return new PlanSettings(seed, batchSize, workers, accumulation, flipProbability, captionDropout);
    }

    /** Images per optimizer step over all workers. */
    public long globalBatch() {
        return (long) batchSize * distributed.workers() * accumulation;
    }
}
