package org.sdspark.model.vae;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;

/** The encoder's diagonal Gaussian over latents (logvar already clamped to [-30, 20] as diffusers does). */
public record LatentDistribution(NDArray mean, NDArray logvar) {

    public NDArray std() {
        return logvar.mul(scalar(logvar, 0.5)).exp();
    }

    /** mean + std * noise, for {@code noise} drawn from N(0, 1) with the mean's shape. */
    public NDArray sample(NDArray noise) {
        return mean.add(std().mul(noise));
    }

    public NDArray mode() {
        return mean;
    }
}
