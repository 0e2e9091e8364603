package org.sdspark.model.pipeline;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;

/**
 * How to load a pipeline.
 *
 * @param configFolder a diffusers folder whose configs and tokenizer describe a single-file
 *     checkpoint that does not carry its own (null when none)
 * @param vPrediction for configs inferred from a single file: the model predicts v (SD 2.x 768
 *     models), which its weights cannot tell
 * @param dataType FLOAT32, or FLOAT16 for the UNet and text encoder (the VAE stays in float32, as
 *     diffusers' force_upcast keeps SD's VAE)
 * @param variant for a diffusers folder: the weights variant to read ({@code fp16} reads
 *     {@code diffusion_pytorch_model.fp16.safetensors}, ...); null reads the plain files, or the
 *     one variant a folder holds when it has no plain files
 * @param ema for an original checkpoint with EMA weights ({@code model_ema.*}, as LDM training
 *     saves them): build the UNet from those, as diffusers' conversion does with {@code --extract_ema}
 */
public record LoadOptions(Path configFolder, boolean vPrediction, DataType dataType, String variant, boolean ema) {
    public static final LoadOptions DEFAULT = new LoadOptions(null, false, DataType.FLOAT32);

    public LoadOptions {
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT16) {
            throw new IllegalArgumentException("pipelines load in FLOAT32 or FLOAT16, not " + dataType);
        }
        if (variant != null && !variant.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("variant must be letters, digits, '_' or '-', got '" + variant + "'");
        }
    }

    public LoadOptions(Path configFolder, boolean vPrediction, DataType dataType) {
        this(configFolder, vPrediction, dataType, null, false);
    }
}
