package org.sdspark.model.blip;

import org.sdspark.model.diffusers.DiffusersConfig;
import org.sdspark.model.nn.Activations;

/** BLIP's ViT image encoder ({@code vision_config}); defaults are transformers' (BLIP base). */
public record BlipVisionConfig(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                               int imageSize, int patchSize, String hiddenAct, float layerNormEps) {

    public BlipVisionConfig {
        BlipConfig.positive("vision_config.hidden_size", hiddenSize);
        BlipConfig.positive("vision_config.intermediate_size", intermediateSize);
        BlipConfig.positive("vision_config.num_hidden_layers", numHiddenLayers);
        BlipConfig.positive("vision_config.num_attention_heads", numAttentionHeads);
        BlipConfig.positive("vision_config.patch_size", patchSize);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("vision_config.hidden_size " + hiddenSize
                    + " does not split into " + numAttentionHeads + " heads");
        }
        if (imageSize <= 0 || imageSize % patchSize != 0) {
            throw new IllegalArgumentException("vision_config.image_size " + imageSize
                    + " is not a positive multiple of patch_size " + patchSize);
        }
        Activations.byName(hiddenAct);
    }

    /** Patches per image plus the class token. */
    public int numPositions() {
        int side = imageSize / patchSize;
        return side * side + 1;
    }

    static BlipVisionConfig read(DiffusersConfig c) {
        BlipConfig.ignoreCommon(c);
        c.requireDefault("model_type", "blip_vision_model");
        return new BlipVisionConfig(
                c.getInt("hidden_size", 768),
                c.getInt("intermediate_size", 3072),
                c.getInt("num_hidden_layers", 12),
                c.getInt("num_attention_heads", 12),
                c.getInt("image_size", 384),
                c.getInt("patch_size", 16),
                c.getString("hidden_act", "gelu"),
                (float) c.getDouble("layer_norm_eps", 1e-5));
    }
}
