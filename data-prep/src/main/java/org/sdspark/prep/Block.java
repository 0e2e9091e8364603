package org.sdspark.prep;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import java.util.List;
import java.util.function.Function;

/**
 * One block of settings with the full path it sits at, so that every error names the key as the
 * user wrote it ({@code sdspark.prep.filter.min-side}) and the file and line of the value.
 */
record Block(Config config, String path) {

    Block child(String key) {
        return new Block(get(key, "OBJECT", config::getConfig), keyPath(key));
    }

    List<Block> children(String key) {
        List<? extends Config> list = get(key, "LIST of OBJECT", config::getConfigList);
        return java.util.stream.IntStream.range(0, list.size())
                .mapToObj(i -> new Block(list.get(i), keyPath(key) + "[" + i + "]"))
                .toList();
    }

    int getInt(String key) {
        return get(key, "NUMBER (int)", config::getInt);
    }

    long getLong(String key) {
        return get(key, "NUMBER (long)", config::getLong);
    }

    double getDouble(String key) {
        return get(key, "NUMBER", config::getDouble);
    }

    boolean getBoolean(String key) {
        return get(key, "BOOLEAN", config::getBoolean);
    }

    String getString(String key) {
        return get(key, "STRING", config::getString);
    }

    List<String> getStringList(String key) {
        return get(key, "LIST of STRING", config::getStringList);
    }

    String getString(String key, String fallback) {
        return config.hasPath(key) ? getString(key) : fallback;
    }

    /** A string that must be set and not blank; reference.conf declares it as null. */
    String requiredString(String key) {
        if (!config.hasPath(key)) throw bad(key, "is required");
        String value = getString(key);
        if (value.isBlank()) throw bad(key, "must not be empty");
        return value;
    }

    int positive(String key) {
        int v = getInt(key);
        if (v <= 0) throw bad(key, "must be > 0, got " + v);
        return v;
    }

    int atLeast(String key, int min) {
        int v = getInt(key);
        if (v < min) throw bad(key, "must be >= " + min + ", got " + v);
        return v;
    }

    long positiveLong(String key) {
        long v = getLong(key);
        if (v <= 0) throw bad(key, "must be > 0, got " + v);
        return v;
    }

    double nonNegative(String key) {
        double v = getDouble(key);
        if (!(v >= 0)) throw bad(key, "must be >= 0, got " + v);
        return v;
    }

    ConfigException.BadValue bad(String key, String message) {
        return new ConfigException.BadValue(origin(key), keyPath(key), message);
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
