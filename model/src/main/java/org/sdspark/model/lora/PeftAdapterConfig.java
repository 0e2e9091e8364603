package org.sdspark.model.lora;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The part of a PEFT {@code LoraConfig} that decides a module's scale, as diffusers stores it per
 * component in a LoRA file's {@code lora_adapter_metadata} ({@code "unet.r"}, {@code "unet.lora_alpha"},
 * {@code "unet.alpha_pattern"}, ...). Defaults are LoraConfig's (r 8, lora_alpha 8).
 *
 * <p>Pattern keys are regular expressions matched as PEFT's {@code get_pattern_key} does: the first
 * key (in file order) with {@code (.*\.)?(key)$} matching the module path wins.
 */
public record PeftAdapterConfig(int r, double loraAlpha, Map<String, Integer> rankPattern,
                                Map<String, Double> alphaPattern, boolean useRslora, boolean useDora) {
    public static final String METADATA_KEY = "lora_adapter_metadata";
    private static final ObjectMapper JSON = new ObjectMapper();

    public PeftAdapterConfig {
        rankPattern = Collections.unmodifiableMap(new LinkedHashMap<>(rankPattern));
        alphaPattern = Collections.unmodifiableMap(new LinkedHashMap<>(alphaPattern));
    }

    /** The config of {@code component} in a file's metadata, if the file has one for it. */
    public static Optional<PeftAdapterConfig> read(Map<String, String> fileMetadata, Component component, String source) {
        String text = fileMetadata.get(METADATA_KEY);
        if (text == null) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": " + METADATA_KEY + " is not JSON: " + e.getOriginalMessage(), e);
        }
        String prefix = component.key() + ".";
        ObjectNode fields = JSON.createObjectNode();
        root.fields().forEachRemaining(f -> {
            if (f.getKey().startsWith(prefix)) {
                fields.set(f.getKey().substring(prefix.length()), f.getValue());
            }
        });
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Integer> ranks = new LinkedHashMap<>();
        fields.path("rank_pattern").fields().forEachRemaining(f -> ranks.put(f.getKey(), f.getValue().asInt()));
        Map<String, Double> alphas = new LinkedHashMap<>();
        fields.path("alpha_pattern").fields().forEachRemaining(f -> alphas.put(f.getKey(), f.getValue().asDouble()));
        return Optional.of(new PeftAdapterConfig(fields.path("r").asInt(8), fields.path("lora_alpha").asDouble(8),
                ranks, alphas, fields.path("use_rslora").asBoolean(false), fields.path("use_dora").asBoolean(false)));
    }

    /**
     * The config diffusers would write for modules of these ranks and alphas: the most common
     * rank and alpha as {@code r} / {@code lora_alpha}, the others as exact-path patterns.
     */
    public static PeftAdapterConfig describing(Map<String, Integer> ranks, Map<String, Double> alphas) {
        int r = mostCommon(ranks);
        double alpha = mostCommon(alphas);
        Map<String, Integer> rankPattern = new LinkedHashMap<>();
        ranks.forEach((path, rank) -> {
            if (rank != r) {
                rankPattern.put(path, rank);
            }
        });
        Map<String, Double> alphaPattern = new LinkedHashMap<>();
        alphas.forEach((path, a) -> {
            if (a != alpha) {
                alphaPattern.put(path, a);
            }
        });
        return new PeftAdapterConfig(r, alpha, rankPattern, alphaPattern, false, false);
    }

    private static <T> T mostCommon(Map<String, T> values) {
        Map<T, Integer> counts = new LinkedHashMap<>();
        values.values().forEach(v -> counts.merge(v, 1, Integer::sum));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** The rank PEFT gives the module at {@code path}. */
    public int rank(String path) {
        return pattern(rankPattern, path).map(rankPattern::get).orElse(r);
    }

    /**
     * The alpha that gives this module's scale as {@code alpha / rank}: lora_alpha (or its pattern),
     * times sqrt(rank) under rsLoRA, whose scale is lora_alpha / sqrt(rank).
     */
    public double effectiveAlpha(String path, int rank) {
        double alpha = pattern(alphaPattern, path).map(alphaPattern::get).orElse(loraAlpha);
        return useRslora ? alpha * Math.sqrt(rank) : alpha;
    }

    private static Optional<String> pattern(Map<String, ?> patterns, String path) {
        for (String key : patterns.keySet()) {
            if (Pattern.compile("(.*\\.)?(" + key + ")").matcher(path).matches()) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    /** The JSON fields of this config under {@code component}'s prefix, as diffusers packs them. */
    public void putInto(ObjectNode metadata, Component component, List<String> targetModules) {
        String p = component.key() + ".";
        metadata.put(p + "r", r);
        metadata.put(p + "lora_alpha", loraAlpha);
        ObjectNode ranks = metadata.putObject(p + "rank_pattern");
        rankPattern.forEach(ranks::put);
        ObjectNode alphas = metadata.putObject(p + "alpha_pattern");
        alphaPattern.forEach(alphas::put);
        var targets = metadata.putArray(p + "target_modules");
        targetModules.forEach(targets::add);
        metadata.put(p + "use_rslora", useRslora);
        metadata.put(p + "use_dora", useDora);
    }
}
