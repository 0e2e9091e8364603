package org.sdspark.model.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text encoder keys. SD 1.x (and SDXL's first encoder) store the transformers CLIPTextModel under its
 * own names. SD 2.x (and SDXL's second encoder) store OpenCLIP's module: {@code
 * transformer.resblocks.N} layers with one fused {@code attn.in_proj_weight} (q, k, v concatenated in
 * that order) instead of three projections, and SDXL's {@code text_projection} as OpenCLIP's (in, out) matrix.
 */
public final class TextEncoderKeyMap {
    private static final String TEXT_MODEL = "text_model.";
    private static final String TEXT_PROJECTION = "text_projection";
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
     * transformers 5 saves CLIPTextModel without that prefix. A CLIPTextModelWithProjection's
     * {@code text_projection} sits beside {@code text_model}, not in it.
     */
    public static String canonical(String key) {
        return key.startsWith(TEXT_MODEL) || key.startsWith(TEXT_PROJECTION + ".") ? key : TEXT_MODEL + key;
    }

    /** SD 1.x: the same names. */
    public static KeyMap clip() {
        return new KeyMap(List.of(KeyMap.Rule.prefix("", "")));
    }

    /** SD 2.x: OpenCLIP names for a text model of {@code layers} layers. */
    public static KeyMap openClip(int layers) {
        return new KeyMap(openClipRules(layers));
    }

    /** SDXL's second encoder: OpenCLIP names, and the projection OpenCLIP applies as {@code x @ text_projection}. */
    public static KeyMap openClipWithProjection(int layers) {
        List<KeyMap.Rule> rules = openClipRules(layers);
        rules.add(KeyMap.Rule.transposed(TEXT_PROJECTION + ".weight", TEXT_PROJECTION));
        return new KeyMap(rules);
    }

    private static List<KeyMap.Rule> openClipRules(int layers) {
        List<KeyMap.Rule> rules = new ArrayList<>();
        rules.add(KeyMap.Rule.prefix("", ""));
        rules.add(KeyMap.Rule.prefix("text_model.embeddings.token_embedding.", "token_embedding."));
        rules.add(KeyMap.Rule.prefix("text_model.embeddings.position_embedding.weight", "positional_embedding"));
        rules.add(KeyMap.Rule.prefix("text_model.final_layer_norm.", "ln_final."));
        for (int i = 0; i < layers; i++) {
            rules.add(KeyMap.Rule.prefix("text_model.encoder.layers." + i + ".", "transformer.resblocks." + i + ".")
                    .withRenames(OPEN_CLIP_LAYER).withFusion(QKV));
        }
        return rules;
    }
}
