package org.sdspark.model.train.optim;

/**
 * diffusers' {@code get_scheduler} as a pure function: the learning rate of optimizer step
 * {@code step} (0-based, counting applied steps: a step skipped for overflow does not advance it,
 * as accelerate's scheduler does not). Warm-up rises linearly from 0, so step 0 trains at lr 0
 * exactly as diffusers' scripts do.
 */
public record LearningRateSchedule(Kind kind, double lr, int warmupSteps, int totalSteps, double cycles,
                                   double power, double lrEnd) {

    public enum Kind { CONSTANT, CONSTANT_WITH_WARMUP, LINEAR, COSINE, COSINE_WITH_RESTARTS, POLYNOMIAL }

    public LearningRateSchedule {
        if (!(lr >= 0) || warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("schedule needs lr >= 0, warmup >= 0 and total steps >= 1: lr " + lr
                    + ", warmup " + warmupSteps + ", total " + totalSteps);
        }
        if (kind == Kind.POLYNOMIAL && !(lr > lrEnd)) {
            throw new IllegalArgumentException("lr_end (" + lrEnd + ") must be smaller than initial lr (" + lr + ")");
        }
    }

    /** diffusers' defaults: cosine half a period, one hard restart, power 1, lr_end 1e-7. */
    public static LearningRateSchedule of(Kind kind, double lr, int warmupSteps, int totalSteps) {
        return new LearningRateSchedule(kind, lr, warmupSteps, totalSteps,
                kind == Kind.COSINE ? 0.5 : 1, 1.0, 1e-7);
    }

    public double at(long step) {
        return lr * factor(step);
    }

    /** The multiplier of the base rate at {@code step} (per-component rates scale with it). */
    public double factor(long step) {
        if (kind == Kind.CONSTANT) {
            return 1;
        }
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return switch (kind) {
            case CONSTANT, CONSTANT_WITH_WARMUP -> 1;
            case LINEAR -> Math.max(0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case COSINE -> Math.max(0, 0.5 * (1 + Math.cos(Math.PI * cycles * 2 * progress)));
            case COSINE_WITH_RESTARTS -> progress >= 1 ? 0 : Math.max(0, 0.5 * (1 + Math.cos(Math.PI * ((cycles * progress) % 1))));
            case POLYNOMIAL -> polynomial(step);
        };
    }

    private double polynomial(long step) {
        if (step > totalSteps) {
            return lrEnd / lr;
        }
        double remaining = 1 - (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        return ((lr - lrEnd) * Math.pow(remaining, power) + lrEnd) / lr;
    }
}
