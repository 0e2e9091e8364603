package org.sdspark.prep;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/** Range checks for settings; errors carry the file and line of the offending value. */
final class Checks {
    private Checks() {}

    static int positive(Config c, String key) {
        int v = c.getInt(key);
        if (v <= 0) throw bad(c, key, "must be > 0, got " + v);
        return v;
    }

    static int atLeast(Config c, String key, int min) {
        int v = c.getInt(key);
        if (v < min) throw bad(c, key, "must be >= " + min + ", got " + v);
        return v;
    }

    static long positiveLong(Config c, String key) {
        long v = c.getLong(key);
        if (v <= 0) throw bad(c, key, "must be > 0, got " + v);
        return v;
    }

    static double nonNegative(Config c, String key) {
        double v = c.getDouble(key);
        if (!(v >= 0)) throw bad(c, key, "must be >= 0, got " + v);
        return v;
    }

    static ConfigException.BadValue bad(Config c, String key, String message) {
        var origin = c.hasPath(key) ? c.getValue(key).origin() : c.origin();
        return new ConfigException.BadValue(origin, key, message);
    }
}
