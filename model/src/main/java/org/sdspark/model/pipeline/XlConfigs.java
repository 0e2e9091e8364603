package org.sdspark.model.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sdspark.model.clip.ClipTextConfig;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.nn.ModelLoadException;

/**
 * What an SDXL pipeline has beside SD's: the second text encoder (a CLIPTextModelWithProjection)
 * and its tokenizer, and model_index.json's {@code force_zeros_for_empty_prompt}: without a
 * negative prompt the unconditional embeddings are zeros rather than the encoded empty prompt.
 */
public record XlConfigs(ClipTextConfig textEncoder2, ClipTokenizer tokenizer2, boolean forceZerosForEmptyPrompt) {
    /** StableDiffusionXLPipeline's default. */
    static final boolean FORCE_ZEROS_DEFAULT = true;

    public XlConfigs {
        if (!textEncoder2.withProjection()) {
            throw new ModelLoadException(PipelineFiles.TEXT_ENCODER_2_CONFIG + " must describe a "
                    + ClipTextConfig.WITH_PROJECTION + " (its pooled embedding conditions the UNet), got a CLIPTextModel");
        }
    }

    /** The SDXL configs of a folder, or null when it has no text_encoder_2 (SD 1.x/2.x). */
    static XlConfigs read(Path folder) throws IOException {
        Path config = folder.resolve(PipelineFiles.TEXT_ENCODER_2_CONFIG);
        if (!Files.isRegularFile(config)) {
            return null;
        }
        return new XlConfigs(ClipTextConfig.load(config), ClipTokenizer.load(folder.resolve(PipelineFiles.TOKENIZER_2)),
                forceZeros(folder.resolve(PipelineFiles.MODEL_INDEX)));
    }

    private static boolean forceZeros(Path modelIndex) throws IOException {
        if (!Files.isRegularFile(modelIndex)) {
            return FORCE_ZEROS_DEFAULT;
        }
        JsonNode v = new ObjectMapper().readTree(modelIndex.toFile()).get("force_zeros_for_empty_prompt");
        if (v == null || v.isNull()) {
            return FORCE_ZEROS_DEFAULT;
        }
        if (!v.isBoolean()) {
            throw new ModelLoadException(modelIndex + ": 'force_zeros_for_empty_prompt' must be true or false, not " + v);
        }
        return v.booleanValue();
    }
}
