package org.sdspark.model.train;

import java.util.List;
import org.sdspark.model.nn.AdapterPlan;
import org.sdspark.model.pipeline.StableDiffusionPipeline;

/**
 * What a method adds to the loaded models before training: LoRA/LoCon plans per component (null:
 * none) and textual inversion's placeholder tokens with the token their rows start from.
 */
public record ModelSetup(AdapterPlan unetAdapters, AdapterPlan textEncoderAdapters, List<String> placeholderTokens,
                         String initializerToken) {
    /** Full fine-tune or DreamBooth: the models as loaded. */
    public static final ModelSetup NONE = new ModelSetup(null, null, List.of(), null);

    public ModelSetup {
        placeholderTokens = List.copyOf(placeholderTokens);
        if (!placeholderTokens.isEmpty() && (initializerToken == null || initializerToken.isBlank())) {
            throw new IllegalArgumentException("textual inversion needs an initializer token for " + placeholderTokens);
        }
    }

    public static ModelSetup lora(AdapterPlan unet, AdapterPlan textEncoder) {
        return new ModelSetup(unet, textEncoder, List.of(), null);
    }

    /** Train {@link TrainableModels#ADDED_EMBEDDINGS} with this. */
    public static ModelSetup textualInversion(List<String> placeholders, String initializer) {
        return new ModelSetup(null, null, placeholders, initializer);
    }

    TrainableModels apply(StableDiffusionPipeline pipeline) {
        TrainableModels models = TrainableModels.of(pipeline, unetAdapters, textEncoderAdapters);
        if (!placeholderTokens.isEmpty()) {
            models.addTokens(placeholderTokens, initializerToken);
        }
        return models;
    }
}
