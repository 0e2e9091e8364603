package org.sdspark.model.checkpoint;

import org.sdspark.model.vae.VaeConfig;

/** What of an AutoencoderKL config decides its original key names: levels and resnets per encoder level. */
public record VaeLayout(int blocks, int layersPerBlock) {
    public static VaeLayout of(VaeConfig config) {
        return new VaeLayout(config.blockOutChannels().size(), config.layersPerBlock());
    }

    public VaeLayout {
        if (blocks < 1 || layersPerBlock < 1) {
            throw new IllegalArgumentException("VAE needs at least one block and one layer, got " + blocks + " x " + layersPerBlock);
        }
    }
}
