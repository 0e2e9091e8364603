package org.sdspark.model.train.optim;

/**
 * torch.amp.GradScaler's policy for fp16 training: the loss is multiplied by {@link #scale()}
 * before backward; a step whose gradients hold inf or NaN is skipped and the scale multiplied by
 * the backoff factor; after {@code growthInterval} good steps in a row the scale grows. The state
 * (scale, good steps in a row, skipped steps) is what a checkpoint keeps.
 */
public final class LossScaler {
    private final Settings settings;
    private double scale;
    private int goodSteps;
    private long skipped;

    /** GradScaler's constructor arguments; its defaults are 65536, 2, 0.5, 2000. */
    public record Settings(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        public static final Settings TORCH = new Settings(65536, 2, 0.5, 2000);

        public Settings {
            if (!(initScale > 0) || !(growthFactor > 1) || !(backoffFactor > 0 && backoffFactor < 1) || growthInterval < 1) {
                throw new IllegalArgumentException("loss scaling needs scale > 0, growth > 1, 0 < backoff < 1, interval >= 1");
            }
        }
    }

    /** Where a scaler stands: what a checkpoint keeps. */
    public record State(double scale, int goodSteps, long skipped) {
    }

    public LossScaler(Settings settings) {
        this.settings = settings;
        this.scale = settings.initScale();
    }

    public double scale() {
        return scale;
    }

    public long skippedSteps() {
        return skipped;
    }

    /** Records one step's outcome; returns whether the optimizer may apply it. */
    public boolean update(boolean finite) {
        if (!finite) {
            scale *= settings.backoffFactor();
            goodSteps = 0;
            skipped++;
            return false;
        }
        if (++goodSteps == settings.growthInterval()) {
            scale *= settings.growthFactor();
            goodSteps = 0;
        }
        return true;
    }

    public State state() {
        return new State(scale, goodSteps, skipped);
    }

    public void restore(State state) {
        scale = state.scale();
        goodSteps = state.goodSteps();
        skipped = state.skipped();
    }
}
