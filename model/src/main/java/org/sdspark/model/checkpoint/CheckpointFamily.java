package org.sdspark.model.checkpoint;

import java.util.Collection;

/**
 * The model family of an original-layout checkpoint, which decides its text encoder layout and the
 * defaults nothing in the weights tells (attention heads, tokenizer padding, image size).
 */
public enum CheckpointFamily {
    /** SD 1.x: CLIP ViT-L/14 text encoder stored under transformers' names. */
    SD1("cond_stage_model.transformer.", null),
    /** SD 2.x: OpenCLIP ViT-H text encoder stored under OpenCLIP's names. */
    SD2("cond_stage_model.model.", null),
    /**
     * SDXL: CLIP ViT-L under transformers' names and OpenCLIP ViT-bigG (with its text projection)
     * under OpenCLIP's, the two embedders of its conditioner.
     */
    SDXL("conditioner.embedders.0.transformer.", "conditioner.embedders.1.model.");

    public static final String UNET_PREFIX = "model.diffusion_model.";
    public static final String VAE_PREFIX = "first_stage_model.";

    private final String textEncoderPrefix;
    private final String textEncoder2Prefix;

    CheckpointFamily(String textEncoderPrefix, String textEncoder2Prefix) {
        this.textEncoderPrefix = textEncoderPrefix;
        this.textEncoder2Prefix = textEncoder2Prefix;
    }

    public String textEncoderPrefix() {
        return textEncoderPrefix;
    }

    /** Where the second text encoder lives (SDXL); null for families with one. */
    public String textEncoder2Prefix() {
        return textEncoder2Prefix;
    }

    /** SDXL or SD2 by their OpenCLIP text encoder keys, SD1 otherwise (diffusers decides the same way). */
    public static CheckpointFamily of(Collection<String> keys) {
        if (keys.stream().anyMatch(k -> k.startsWith(SDXL.textEncoder2Prefix))) {
            return SDXL;
        }
        return keys.stream().anyMatch(k -> k.startsWith(SD2.textEncoderPrefix)) ? SD2 : SD1;
    }
}
