package org.sdspark.model.checkpoint;

import java.util.Collection;

/**
 * The model family of an original-layout checkpoint, which decides its text encoder layout and the
 * defaults nothing in the weights tells (attention heads, tokenizer padding, image size).
 */
public enum CheckpointFamily {
    /** SD 1.x: CLIP ViT-L/14 text encoder stored under transformers' names. */
    SD1("cond_stage_model.transformer."),
    /** SD 2.x: OpenCLIP ViT-H text encoder stored under OpenCLIP's names. */
    SD2("cond_stage_model.model.");

    public static final String UNET_PREFIX = "model.diffusion_model.";
    public static final String VAE_PREFIX = "first_stage_model.";

    private final String textEncoderPrefix;

    CheckpointFamily(String textEncoderPrefix) {
        this.textEncoderPrefix = textEncoderPrefix;
    }

    public String textEncoderPrefix() {
        return textEncoderPrefix;
    }

    /** SD2 by its OpenCLIP text encoder keys, SD1 otherwise (diffusers decides the same way). */
    public static CheckpointFamily of(Collection<String> keys) {
        return keys.stream().anyMatch(k -> k.startsWith(SD2.textEncoderPrefix)) ? SD2 : SD1;
    }
}
