package org.sdspark.model.train.optim;

/**
 * diffusers' {@code EMAModel.get_decay}: the decay of the moving average at its n-th update
 * (1-based). Zero for the first {@code updateAfterStep + 1} updates (the average is the weights
 * themselves), then (1 + s) / (10 + s), or with warm-up 1 − (1 + s / invGamma)^−power, always
 * clamped into [minDecay, decay].
 */
public record EmaDecay(double decay, double minDecay, int updateAfterStep, boolean warmup, double invGamma,
                       double power) {

    public EmaDecay {
        if (!(decay >= 0 && decay <= 1) || !(minDecay >= 0 && minDecay <= decay)) {
            throw new IllegalArgumentException("EMA needs 0 <= min decay <= decay <= 1: " + minDecay + ", " + decay);
        }
    }

    /** diffusers' defaults for a decay: no warm-up. */
    public static EmaDecay of(double decay) {
        return new EmaDecay(decay, 0, 0, false, 1, 2.0 / 3);
    }

    public double at(long update) {
        long step = Math.max(0, update - updateAfterStep - 1);
        if (step <= 0) {
            return 0;
        }
        double value = warmup ? 1 - Math.pow(1 + step / invGamma, -power) : (1.0 + step) / (10.0 + step);
        return Math.max(Math.min(value, decay), minDecay);
    }
}
