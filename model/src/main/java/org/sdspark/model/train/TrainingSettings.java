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
 * (for v-prediction). Checkpoints every {@code checkpointEvery} steps (0: only at the end), the
 * newest {@code keepCheckpoints} kept.
 */
public record TrainingSettings(List<String> trained, OptimizerSettings optimizer, LearningRateSchedule schedule,
                               Map<String, Double> componentRates, LossSettings loss,
                               Optional<PredictionType> prediction, boolean zeroTerminalSnr, double captionDropout,
                               int accumulation, double maxGradNorm, Precision precision, LossScaler.Settings scaler,
                               Optional<EmaDecay> ema, long seed, int clipSkip, int checkpointEvery,
                               int keepCheckpoints) {

    public TrainingSettings {
        trained = List.copyOf(trained);
        componentRates = Map.copyOf(componentRates);
        if (trained.isEmpty()) {
            throw new IllegalArgumentException("nothing to train: give at least one parameter pattern");
        }
        if (accumulation < 1) {
            throw new IllegalArgumentException("gradient accumulation must be >= 1, got " + accumulation);
        }
        if (!(captionDropout >= 0 && captionDropout <= 1)) {
            throw new IllegalArgumentException("caption dropout must be in [0, 1], got " + captionDropout);
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

    /** A copy on another schedule (whose total steps is the run's length). */
    public TrainingSettings withSchedule(LearningRateSchedule newSchedule) {
        return new TrainingSettings(trained, optimizer, newSchedule, componentRates, loss, prediction, zeroTerminalSnr,
                captionDropout, accumulation, maxGradNorm, precision, scaler, ema, seed, clipSkip, checkpointEvery,
                keepCheckpoints);
    }
}
