package org.sdspark.model.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text encoder keys. SD 1.x stores the transformers CLIPTextModel under its own names. SD 2.x
 * stores OpenCLIP's module: {@code transformer.resblocks.N} layers with one fused
 * {@code attn.in_proj_weight} (q, k, v concatenated in that order) instead of three projections.
 */
public final class TextEncoderKeyMap {
    private static final String TEXT_MODEL = "text_model.";
    private static final Map<String, String> OPEN_CLIP_LAYER = Map.of(
            "layer_norm1", "ln_1",
            "layer_norm2", "ln_2",
            "mlp.fc1", "mlp.c_fc",
            "mlp.fc2", "mlp.c_proj",
            "self_attn.out_proj", "attn.out_proj");
    private static final KeyMap.Fusion QKV = new KeyMap.Fusion(
            List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"), "attn.in_proj_");

    private TextEncoderKeyMap() {
    }

    /**
     * The key under {@code text_model.}, as SD checkpoints and transformers before 5 name it;
     * transformers 5 saves CLIPTextModel without that prefix.
     */
    public static String canonical(String key) {
        return key.startsWith(TEXT_MODEL) ? key : TEXT_MODEL + key;
    }

    /** SD 1.x: the same names. */
    public static KeyMap clip() {
        return new KeyMap(List.of(KeyMap.Rule.prefix("", "")));
    }

    /** SD 2.x: OpenCLIP names for a text model of {@code layers} layers. */
    public static KeyMap openClip(int layers) {
        List<KeyMap.Rule> rules = new ArrayList<>();
        rules.add(KeyMap.Rule.prefix("", ""));
        rules.add(KeyMap.Rule.prefix("text_model.embeddings.token_embedding.", "token_embedding."));
        rules.add(KeyMap.Rule.prefix("text_model.embeddings.position_embedding.weight", "positional_embedding"));
        rules.add(KeyMap.Rule.prefix("text_model.final_layer_norm.", "ln_final."));
        for (int i = 0; i < layers; i++) {
            rules.add(KeyMap.Rule.prefix("text_model.encoder.layers." + i + ".", "transformer.resblocks." + i + ".")
                    .withRenames(OPEN_CLIP_LAYER).withFusion(QKV));
        }
        return new KeyMap(rules);
    }
}
