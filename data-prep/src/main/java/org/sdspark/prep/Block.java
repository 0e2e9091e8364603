package org.sdspark.prep;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One block of settings with the full path it sits at, so that every error names the key as the
 * user wrote it ({@code sdspark.prep.filter.min-side}) and the file and line of the value.
 */
public record Block(Config config, String path) {

    public Block child(String key) {
        return new Block(get(key, "OBJECT", config::getConfig), keyPath(key));
    }

    public List<Block> children(String key) {
        List<? extends Config> list = get(key, "LIST of OBJECT", config::getConfigList);
        return java.util.stream.IntStream.range(0, list.size())
                .mapToObj(i -> new Block(list.get(i), keyPath(key) + "[" + i + "]"))
                .toList();
    }

    public int getInt(String key) {
        return get(key, "NUMBER (int)", config::getInt);
    }

    public long getLong(String key) {
        return get(key, "NUMBER (long)", config::getLong);
    }

    public double getDouble(String key) {
        return get(key, "NUMBER", config::getDouble);
    }

    public boolean getBoolean(String key) {
        return get(key, "BOOLEAN", config::getBoolean);
    }

    public Duration getDuration(String key) {
        return get(key, "DURATION", config::getDuration);
    }

    public String getString(String key) {
        return get(key, "STRING", config::getString);
    }

    public List<String> getStringList(String key) {
        return get(key, "LIST of STRING", config::getStringList);
    }

    public String getString(String key, String fallback) {
        return config.hasPath(key) ? getString(key) : fallback;
    }

    /** A string that must be set and not blank; reference.conf declares it as null. */
    public String requiredString(String key) {
        if (!config.hasPath(key)) throw bad(key, "is required");
        String value = getString(key);
        if (value.isBlank()) throw bad(key, "must not be empty");
        return value;
    }

    public int positive(String key) {
        int v = getInt(key);
        if (v <= 0) throw bad(key, "must be > 0, got " + v);
        return v;
    }

    public int atLeast(String key, int min) {
        int v = getInt(key);
        if (v < min) throw bad(key, "must be >= " + min + ", got " + v);
        return v;
    }

    public long positiveLong(String key) {
        long v = getLong(key);
        if (v <= 0) throw bad(key, "must be > 0, got " + v);
        return v;
    }

    public double nonNegative(String key) {
        double v = getDouble(key);
        if (!(v >= 0)) throw bad(key, "must be >= 0, got " + v);
        return v;
    }

    /** A string that must be one of {@code allowed}. */
    public String oneOf(String key, String... allowed) {
        String value = getString(key);
        if (!Arrays.asList(allowed).contains(value)) {
            String last = allowed[allowed.length - 1];
            String others = String.join(", ", Arrays.copyOf(allowed, allowed.length - 1));
            throw bad(key, "must be " + (others.isEmpty() ? "" : others + " or ") + last + ", got '" + value + "'");
        }
        return value;
    }

    /** The value read by {@code parser}; its IllegalArgumentException becomes an error naming the key. */
    public <T> T parsed(String key, Function<String, T> parser) {
        return parse(key, getString(key), parser);
    }

    /** {@link #parsed(String, Function)} of a key that may be absent, which reads as {@code fallback}. */
    public <T> T parsed(String key, String fallback, Function<String, T> parser) {
        return parse(key, getString(key, fallback), parser);
    }

    /** One of an enum's constants, written in lower case with '-' for '_' ({@code cosine-with-restarts}). */
    public <E extends Enum<E>> E choice(String key, Class<E> type) {
        String value = getString(key);
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            List<String> allowed = Arrays.stream(type.getEnumConstants()).map(o -> o.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
            throw bad(key, "is '" + value + "'; one of " + String.join(", ", allowed));
        }
    }

    public ConfigException.BadValue bad(String key, String message) {
        return new ConfigException.BadValue(origin(key), keyPath(key), message);
    }

    private <T> T parse(String key, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw bad(key, e.getMessage());
        }
    }

    private String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private ConfigOrigin origin(String key) {
        return config.hasPath(key) ? config.getValue(key).origin() : config.origin();
    }

    private <T> T get(String key, String expected, Function<String, T> getter) {
        try {
            return getter.apply(key);
        } catch (ConfigException.WrongType e) {
            String actual = config.getValue(key).valueType().name();
            throw new ConfigException.WrongType(origin(key), keyPath(key), expected, actual, e);
        } catch (ConfigException.Missing e) {
            throw new ConfigException.Missing(config.origin(), keyPath(key));
        }
    }
}
