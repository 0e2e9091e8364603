package org.sdspark.model.train.loss;

/**
 * How the denoising loss is formed. {@code snrGamma} ≤ 0 turns min-SNR weighting off;
 * {@code noiseOffset} adds noiseOffset · N(0, 1) per (sample, channel) to the noise (offset noise);
 * {@code priorLossWeight} weighs the class (prior-preservation) samples' loss.
 */
public record LossSettings(double snrGamma, double noiseOffset, double priorLossWeight) {
    public static final LossSettings PLAIN = new LossSettings(0, 0, 1);

    public LossSettings {
        if (!(noiseOffset >= 0) || !(priorLossWeight >= 0) || Double.isNaN(snrGamma)) {
            throw new IllegalArgumentException("noise offset and prior loss weight must be >= 0, snr gamma a number");
        }
    }

    public boolean minSnr() {
        return snrGamma > 0;
    }
}
