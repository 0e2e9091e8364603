package org.sdspark.model.train;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sdspark.model.scheduler.PredictionType;
import org.sdspark.model.train.loss.LossSettings;
import org.sdspark.model.train.optim.EmaDecay;
import org.sdspark.model.train.optim.LearningRateSchedule;
import org.sdspark.model.train.optim.LossScaler;
import org.sdspark.model.train.optim.OptimizerSettings;

/**
 * Everything that shapes a run, validated once. {@code trained} are globs over the parameter tree
 * (full fine-tune {@code unet.*}; LoRA {@code unet.*.lora_A.weight, unet.*.lora_B.weight};
 * textual inversion the text encoder's added rows); the schedule's rate is the base rate and
 * {@code componentRates} overrides it per component ({@code text_encoder → 5e-6}), both scaled by
 * the schedule. {@code schedule.totalSteps()} is the run's length in optimizer steps.
 * {@code prediction} overrides the scheduler config's; {@code zeroTerminalSnr} rescales the betas
 * (for v-prediction). Caption dropout belongs to the data pipeline (the batch's captions are
 * already dropped). Checkpoints every {@code checkpointEvery} steps (0: only at the end), the
 * newest {@code keepCheckpoints} kept. {@code cudaGraphs}: forward and backward replayed from CUDA
 * graphs where a run can (see {@link Trainer}).
 */
public record TrainingSettings(List<String> trained, OptimizerSettings optimizer, LearningRateSchedule schedule,
                               Map<String, Double> componentRates, LossSettings loss,
                               Optional<PredictionType> prediction, boolean zeroTerminalSnr,
                               int accumulation, double maxGradNorm, Precision precision, LossScaler.Settings scaler,
                               Optional<EmaDecay> ema, long seed, int clipSkip, int checkpointEvery,
                               int keepCheckpoints, boolean cudaGraphs) {

    public TrainingSettings {
        trained = List.copyOf(trained);
        componentRates = Map.copyOf(componentRates);
        if (trained.isEmpty()) {
            throw new IllegalArgumentException("nothing to train: give at least one parameter pattern");
        }
        if (accumulation < 1) {
            throw new IllegalArgumentException("gradient accumulation must be >= 1, got " + accumulation);
        }
        if (checkpointEvery < 0 || keepCheckpoints < 1) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0 and checkpoints kept >= 1");
        }
        if (clipSkip < 0) {
            throw new IllegalArgumentException("clip skip must be >= 0, got " + clipSkip);
        }
        componentRates.forEach((component, lr) -> {
            if (!(lr >= 0)) {
                throw new IllegalArgumentException("learning rate of " + component + " must be >= 0, got " + lr);
            }
        });
    }

    public long totalSteps() {
        return schedule.totalSteps();
    }

    /** Settings for training {@code trained} on {@code schedule}, everything else at {@link Builder}'s defaults. */
    public static Builder builder(List<String> trained, LearningRateSchedule schedule) {
        return new Builder(trained, schedule);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder(trained, schedule);
        b.optimizer = optimizer;
        b.componentRates = componentRates;
        b.loss = loss;
        b.prediction = prediction;
        b.zeroTerminalSnr = zeroTerminalSnr;
        b.accumulation = accumulation;
        b.maxGradNorm = maxGradNorm;
        b.precision = precision;
        b.scaler = scaler;
        b.ema = ema;
        b.seed = seed;
        b.clipSkip = clipSkip;
        b.checkpointEvery = checkpointEvery;
        b.keepCheckpoints = keepCheckpoints;
        b.cudaGraphs = cudaGraphs;
        return b;
    }

    /**
     * Defaults as diffusers' training scripts: AdamW (β 0.9/0.999, ε 1e-8, weight decay 1e-2), plain
     * MSE, the scheduler config's prediction type, no accumulation, clipping at
     * 1.0, fp32, torch's GradScaler settings for fp16, no EMA, seed 0, no clip skip, a checkpoint at
     * the end only, 3 kept, CUDA graphs where the run can use them.
     */
    public static final class Builder {
        private final List<String> trained;
        private final LearningRateSchedule schedule;
        private OptimizerSettings optimizer = OptimizerSettings.adamW(OptimizerSettings.Kind.ADAMW);
        private Map<String, Double> componentRates = Map.of();
        private LossSettings loss = LossSettings.PLAIN;
        private Optional<PredictionType> prediction = Optional.empty();
        private boolean zeroTerminalSnr;
        private int accumulation = 1;
        private double maxGradNorm = 1.0;
        private Precision precision = Precision.FP32;
        private LossScaler.Settings scaler = LossScaler.Settings.TORCH;
        private Optional<EmaDecay> ema = Optional.empty();
        private long seed;
        private int clipSkip;
        private int checkpointEvery;
        private int keepCheckpoints = 3;
        private boolean cudaGraphs = true;

        private Builder(List<String> trained, LearningRateSchedule schedule) {
            this.trained = trained;
            this.schedule = schedule;
        }

        public Builder optimizer(OptimizerSettings value) {
            optimizer = value;
            return this;
        }

        public Builder componentRates(Map<String, Double> value) {
            componentRates = value;
            return this;
        }

        public Builder loss(LossSettings value) {
            loss = value;
            return this;
        }

        public Builder prediction(PredictionType value) {
            prediction = Optional.of(value);
            return this;
        }

        public Builder zeroTerminalSnr(boolean value) {
            zeroTerminalSnr = value;
            return this;
        }

        public Builder accumulation(int value) {
            accumulation = value;
            return this;
        }

        public Builder maxGradNorm(double value) {
            maxGradNorm = value;
            return this;
        }

        public Builder precision(Precision value) {
            precision = value;
            return this;
        }

        public Builder scaler(LossScaler.Settings value) {
            scaler = value;
            return this;
        }

        public Builder ema(EmaDecay value) {
            ema = Optional.of(value);
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder clipSkip(int value) {
            clipSkip = value;
            return this;
        }

        public Builder checkpoints(int every, int keep) {
            checkpointEvery = every;
            keepCheckpoints = keep;
            return this;
        }

        public Builder cudaGraphs(boolean value) {
            cudaGraphs = value;
            return this;
        }

        public TrainingSettings build() {
            return new TrainingSettings(trained, optimizer, schedule, componentRates, loss, prediction, zeroTerminalSnr,
                    accumulation, maxGradNorm, precision, scaler, ema, seed, clipSkip, checkpointEvery,
                    keepCheckpoints, cudaGraphs);
        }
    }
}
