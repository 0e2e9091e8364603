package org.sdspark.model.diffusers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed reads of a diffusers or transformers {@code config.json}. Every read marks its key as
 * understood; keys for features this project does not implement must hold their default value, and
 * {@link #rejectUnknownKeys} fails on anything never read, so a config is never half-understood.
 * Nested configs (transformers' {@code text_config}, {@code vision_config}) are {@link #section}s
 * read under the same policy. Errors name the file and the key.
 */
public final class DiffusersConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String file;
    private final String prefix;
    private final JsonNode root;
    private final Set<String> read = new HashSet<>();

    private DiffusersConfig(String file, String prefix, JsonNode root) {
        this.file = file;
        this.prefix = prefix;
        this.root = root;
    }

    public static DiffusersConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": no such config file");
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new ConfigException(file + ": not a JSON object");
            }
            return new DiffusersConfig(file.toString(), "", root);
        } catch (IOException e) {
            throw ConfigException.notJson(file, e);
        }
    }

    public String file() {
        return file;
    }

    /**
     * The object under {@code key}, read under the same policy; its keys appear in errors as
     * {@code key.name}. An absent or null section reads as empty (every key at its default).
     */
    public DiffusersConfig section(String key) {
        JsonNode v = value(key);
        if (v != null && !v.isObject()) {
            throw bad(key, "an object", v);
        }
        return new DiffusersConfig(file, name(key) + ".", v == null ? JSON.createObjectNode() : v);
    }

    /**
     * Marks keys as understood without reading them: bookkeeping (versions, architectures) and
     * training-only settings (dropout, initialisation) that do not change what the model computes.
     */
    public void ignore(String... keys) {
        read.addAll(List.of(keys));
    }

    public int getInt(String key, int defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) {
            throw bad(key, "an integer", v);
        }
        return v.asInt();
    }

    /** An integer, or null when absent or null. */
    public Integer getNullableInt(String key) {
        JsonNode v = value(key);
        return v == null ? null : getInt(key, 0);
    }

    public double getDouble(String key, double defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw bad(key, "a number", v);
        }
        return v.asDouble();
    }

    /** A number, or null when absent or null. */
    public Double getNullableDouble(String key) {
        JsonNode v = value(key);
        return v == null ? null : getDouble(key, 0);
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw bad(key, "true or false", v);
        }
        return v.asBoolean();
    }

    public String getString(String key, String defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isTextual()) {
            throw bad(key, "a string", v);
        }
        return v.asText();
    }

    public List<String> getStrings(String key, List<String> defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isArray()) {
            throw bad(key, "a list of strings", v);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw bad(key, "a list of strings", v);
            }
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    public List<Double> getDoubles(String key, List<Double> defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isArray()) {
            throw bad(key, "a list of numbers", v);
        }
        List<Double> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isNumber()) {
                throw bad(key, "a list of numbers", v);
            }
            out.add(e.asDouble());
        }
        return List.copyOf(out);
    }

    public List<Integer> getInts(String key, List<Integer> defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isArray()) {
            throw bad(key, "a list of integers", v);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.canConvertToExactIntegral()) {
                throw bad(key, "a list of integers", v);
            }
            out.add(e.asInt());
        }
        return List.copyOf(out);
    }

    /**
     * A per-block integer given either once for all {@code blocks} or as a list of that length;
     * null when absent or null and {@code defaultValue} is null.
     */
    public List<Integer> getPerBlock(String key, int blocks, Integer defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue == null ? null : Collections.nCopies(blocks, defaultValue);
        }
        if (v.isArray()) {
            List<Integer> list = getInts(key, null);
            if (list.size() != blocks) {
                throw new ConfigException(file + ": '" + name(key) + "' has " + list.size() + " entries, one per block ("
                        + blocks + ") expected");
            }
            return list;
        }
        return Collections.nCopies(blocks, getInt(key, 0));
    }

    /** Fails unless {@code key} is absent, null or {@code expected} (null, a boolean, number or string). */
    public void requireDefault(String key, Object expected) {
        JsonNode v = value(key);
        boolean ok = v == null
                || (expected instanceof Boolean b ? v.isBoolean() && v.asBoolean() == b
                : expected instanceof Number n ? v.isNumber() && v.asDouble() == n.doubleValue()
                : expected instanceof String s && v.isTextual() && v.asText().equals(s));
        if (!ok) {
            throw new ConfigException(file + ": '" + name(key) + "' = " + v + " is not supported (only " + expected + ")");
        }
    }

    /** Fails naming every key that no read asked for (diffusers' private "_" keys excepted). */
    public void rejectUnknownKeys() {
        List<String> unknown = new ArrayList<>();
        root.fieldNames().forEachRemaining(k -> {
            if (!k.startsWith("_") && !read.contains(k)) {
                unknown.add(name(k));
            }
        });
        if (!unknown.isEmpty()) {
            throw new ConfigException(file + ": unsupported keys " + unknown);
        }
    }

    /** The error for a value the config model rejects. */
    public ConfigException invalid(String message) {
        return new ConfigException(file + ": " + message);
    }

    private JsonNode value(String key) {
        read.add(key);
        JsonNode v = root.get(key);
        return v == null || v.isNull() ? null : v;
    }

    private ConfigException bad(String key, String expected, JsonNode v) {
        return new ConfigException(file + ": '" + name(key) + "' must be " + expected + ", not " + v);
    }

    private String name(String key) {
        return prefix + key;
    }
}
