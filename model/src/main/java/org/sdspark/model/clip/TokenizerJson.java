package org.sdspark.model.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sdspark.model.diffusers.ConfigException;

/**
 * The BPE model of a {@code tokenizers} {@code tokenizer.json}, which transformers 5 saves instead
 * of vocab.json and merges.txt: {@code model.vocab}, {@code model.merges} (each "a b", or ["a", "b"]
 * as tokenizers writes them since 0.20) and the {@code added_tokens}; {@code padding.pad_token}
 * when padding is configured. Only CLIP's BPE, whose words end in "</w>", is accepted.
 */
record TokenizerJson(Map<String, Integer> vocab, List<String> merges, String padToken) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static TokenizerJson read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw ConfigException.notJson(file, e);
        }
        JsonNode model = root == null ? null : root.get("model");
        if (model == null || !model.isObject()) {
            throw new ConfigException(file + ": no 'model' object");
        }
        if (!"BPE".equals(model.path("type").asText())) {
            throw new ConfigException(file + ": 'model.type' is " + model.get("type") + ", a CLIP tokenizer is \"BPE\"");
        }
        if (!BpeMerges.END_OF_WORD.equals(model.path("end_of_word_suffix").asText())) {
            throw new ConfigException(file + ": 'model.end_of_word_suffix' is " + model.get("end_of_word_suffix")
                    + ", CLIP's BPE has \"" + BpeMerges.END_OF_WORD + "\"");
        }
        Map<String, Integer> vocab = vocab(file, model.get("vocab"));
        for (JsonNode added : root.path("added_tokens")) {
            if (!added.path("content").isTextual() || !added.path("id").canConvertToInt()) {
                throw new ConfigException(file + ": 'added_tokens' entry " + added + " lacks a string content or an integer id");
            }
            vocab.putIfAbsent(added.get("content").asText(), added.get("id").asInt());
        }
        JsonNode pad = root.path("padding").path("pad_token");
        return new TokenizerJson(vocab, merges(file, model.get("merges")), pad.isTextual() ? pad.asText() : null);
    }

    private static Map<String, Integer> vocab(Path file, JsonNode vocab) {
        if (vocab == null || !vocab.isObject()) {
            throw new ConfigException(file + ": 'model.vocab' must be an object of token -> id");
        }
        Map<String, Integer> out = new HashMap<>();
        vocab.fields().forEachRemaining(e -> {
            if (!e.getValue().canConvertToInt()) {
                throw new ConfigException(file + ": 'model.vocab' gives token '" + e.getKey() + "' the id " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().asInt());
        });
        return out;
    }

    private static List<String> merges(Path file, JsonNode merges) {
        if (merges == null || !merges.isArray()) {
            throw new ConfigException(file + ": 'model.merges' must be a list of merges");
        }
        List<String> out = new ArrayList<>(merges.size());
        for (JsonNode m : merges) {
            if (m.isTextual()) {
                out.add(m.asText());
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                out.add(m.get(0).asText() + " " + m.get(1).asText());
            } else {
                throw new ConfigException(file + ": 'model.merges' entry " + (out.size() + 1) + " is not a pair of symbols: " + m);
            }
        }
        return out;
    }
}
