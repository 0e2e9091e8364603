package org.sdspark.model.pipeline;

import org.sdspark.model.unet.UNetConfig;
import org.sdspark.model.vae.VaeConfig;

/**
 * A lower bound of the memory that generating one image takes: the weights plus the largest
 * attention. Attention is composed from a matrix product and a softmax (DJL has no fused kernel),
 * so its float32 scores and their softmax, batch × heads × L × L for L latent positions, exist
 * together; growing with the square of the pixels, they put large images out of reach long before
 * anything else does. A size whose bound exceeds the device's memory cannot succeed.
 */
public final class GenerationMemory {
    private static final double SCORES_AND_SOFTMAX = 2.0 * Float.BYTES;

    private GenerationMemory() {
    }

    /** {@code guided}: classifier-free guidance runs the UNet on a batch of two. */
    public static double lowerBoundBytes(long weightBytes, UNetConfig unet, VaeConfig vae, int width, int height,
                                         boolean guided) {
        int factor = 1 << (vae.blockOutChannels().size() - 1);
        double rows = height / factor;
        double cols = width / factor;
        double unetScores = 0;
        for (int level = 0; level < unet.blocks(); level++) {
            boolean mid = level == unet.blocks() - 1;
            if (mid || unet.downBlockTypes().get(level).equals(UNetConfig.CROSS_ATTN_DOWN_BLOCK)) {
                // each down block halves the latents, rounding up
                double positions = Math.ceil(rows / (1 << level)) * Math.ceil(cols / (1 << level));
                unetScores = Math.max(unetScores, (guided ? 2 : 1) * unet.attentionHeads().get(level) * positions * positions);
            }
        }
        // the VAE decoder's mid block: one head over every latent position
        double vaeScores = rows * cols * rows * cols;
        return weightBytes + SCORES_AND_SOFTMAX * Math.max(unetScores, vaeScores);
    }
}
