package org.sdspark.model.vae;

/**
 * One image's latent distribution as plain arrays: the VAE's mean and (clamped) log-variance,
 * each {@code channels x height x width} floats, channel-major.
 */
public record LatentMoments(float[] mean, float[] logvar, int channels, int height, int width) {

    public LatentMoments {
        int size = channels * height * width;
        if (mean.length != size || logvar.length != size) {
            throw new IllegalArgumentException(mean.length + " mean and " + logvar.length + " logvar values for "
                    + channels + "x" + height + "x" + width + " latents");
        }
    }
}
