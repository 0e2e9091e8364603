package org.sdspark.model.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sdspark.model.diffusers.ConfigException;
import org.sdspark.model.nn.Activations;

/**
 * The shape of a CLIP text transformer, read from a transformers {@code CLIPTextConfig}
 * config.json (a diffusers {@code text_encoder/} folder). Missing keys take transformers' defaults.
 *
 * <p>{@code eosTokenId} decides pooling: legacy configs (SD 1.x's openai/clip-vit-large-patch14,
 * SD 2's OpenCLIP conversion) say 2, and transformers then pools at the largest input id.
 *
 * <p>{@code withProjection}: the model is a {@code CLIPTextModelWithProjection} (its config's
 * {@code architectures} say so; SDXL's second text encoder), whose {@code text_projection} maps the
 * pooled state to {@code projectionDim} text embeddings.
 */
public record ClipTextConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        String hiddenAct,
        float layerNormEps,
        int bosTokenId,
        int eosTokenId,
        int padTokenId,
        int projectionDim,
        boolean withProjection) {
    public static final String WITH_PROJECTION = "CLIPTextModelWithProjection";

    public ClipTextConfig {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("projection_dim", projectionDim);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("'hidden_size' " + hiddenSize + " is not divisible by 'num_attention_heads' " + numAttentionHeads);
        }
        try {
            Activations.byName(hiddenAct);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'hidden_act': " + e.getMessage(), e);
        }
    }

    /** A CLIPTextModel (no projection) with transformers' default projection_dim. */
    public ClipTextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                          int maxPositionEmbeddings, String hiddenAct, float layerNormEps, int bosTokenId, int eosTokenId,
                          int padTokenId) {
        this(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, maxPositionEmbeddings, hiddenAct,
                layerNormEps, bosTokenId, eosTokenId, padTokenId, 512, false);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("'" + key + "' must be positive, not " + value);
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Reads config.json; a file that is not a usable config is a {@link ConfigException} naming it and the key. */
    public static ClipTextConfig load(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(configJson.toFile());
        } catch (IOException e) {
            throw ConfigException.notJson(configJson, e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(configJson + ": not a JSON object");
        }
        try {
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(configJson + ": " + e.getMessage());
        }
    }

    /** From config.json contents; a whole CLIPConfig contributes its {@code text_config}. */
    public static ClipTextConfig fromJson(JsonNode root) {
        JsonNode c = root.has("text_config") ? root.get("text_config") : root;
        return new ClipTextConfig(
                intOr(c, "vocab_size", 49408),
                intOr(c, "hidden_size", 512),
                intOr(c, "intermediate_size", 2048),
                intOr(c, "num_hidden_layers", 12),
                intOr(c, "num_attention_heads", 8),
                intOr(c, "max_position_embeddings", 77),
                textOr(c, "hidden_act", "quick_gelu"),
                (float) numberOr(c, "layer_norm_eps", 1e-5),
                intOr(c, "bos_token_id", 49406),
                intOr(c, "eos_token_id", 49407),
                intOr(c, "pad_token_id", 1),
                intOr(c, "projection_dim", 512),
                architectures(root).contains(WITH_PROJECTION));
    }

    private static List<String> architectures(JsonNode root) {
        JsonNode v = root.get("architectures");
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("'architectures' must be a list of class names, not " + v);
        }
        List<String> names = new ArrayList<>();
        v.forEach(n -> names.add(n.asText()));
        return names;
    }

    private static int intOr(JsonNode c, String key, int fallback) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("'" + key + "' must be an integer, not " + v);
        }
        return v.asInt();
    }

    private static double numberOr(JsonNode c, String key, double fallback) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("'" + key + "' must be a number, not " + v);
        }
        return v.asDouble();
    }

    private static String textOr(JsonNode c, String key, String fallback) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("'" + key + "' must be a string, not " + v);
        }
        return v.asText();
    }
}
