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
 */
public record LoadOptions(Path configFolder, boolean vPrediction, DataType dataType) {
    public static final LoadOptions DEFAULT = new LoadOptions(null, false, DataType.FLOAT32);

    public LoadOptions {
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT16) {
            throw new IllegalArgumentException("pipelines load in FLOAT32 or FLOAT16, not " + dataType);
        }
    }
}
