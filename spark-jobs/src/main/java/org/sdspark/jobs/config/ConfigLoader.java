package org.sdspark.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.sdspark.jobs.UsageError;

/**
 * Layers `--set key=value` over the user's file over every module's reference.conf, and rejects
 * keys the reference does not know before anything reads the values. The file may be on any
 * Hadoop file system (`s3a://`, `hdfs://`), so a job in cluster deploy mode needs no `--files`.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** The resolved configuration; throws {@link UsageError} naming the key and the file. */
    public static Config load(Optional<Path> file, List<String> sets) {
        return loadFrom(file.map(Path::toString), sets);
    }

    /** As {@link #load}, the file given as a local path or a Hadoop URI ({@code s3a://bucket/train.conf}). */
    public static Config loadFrom(Optional<String> location, List<String> sets) {
        Config reference = ConfigFactory.defaultReferenceUnresolved();
        Config user = ConfigFactory.empty();
        for (String set : sets) {
            user = parseSet(set).withFallback(user);
        }
        if (location.isPresent()) {
            Config overrides = user;
            user = user.withFallback(RemoteConfig.isRemote(location.get())
                    ? RemoteConfig.parse(location.get(), () -> S3Settings.from(overrides.withFallback(reference).resolve()))
                    : parseFile(Path.of(location.get())));
        }
        try {
            Config merged = user.withFallback(reference).resolve();
            UnknownKeys.check(user.resolveWith(merged), reference.resolve());
            return merged;
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage(), e);
        }
    }

    private static Config parseFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageError("config file " + file + " not found");
        }
        try {
            return ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setAllowMissing(false).setOriginDescription(file.toString()));
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage(), e);
        }
    }

    /** `key=value`; the value is HOCON (numbers, lists, quoted strings) or else taken as a plain string. */
    static Config parseSet(String set) {
        int eq = set.indexOf('=');
        if (eq <= 0) {
            throw new UsageError("--set needs key=value, got '" + set + "'");
        }
        String key = set.substring(0, eq).trim();
        String value = set.substring(eq + 1);
        String origin = "--set " + key;
        ConfigParseOptions options = ConfigParseOptions.defaults().setOriginDescription(origin);
        try {
            ConfigUtil.splitPath(key);
        } catch (ConfigException e) {
            throw new UsageError(origin + ": '" + key + "' is not a valid key", e);
        }
        // Lists, objects and quoted strings are HOCON. Other values are HOCON when that works
        // (numbers, booleans), else plain strings: unquoted HOCON would read "s3a://b/x" as
        // "s3a:" followed by a comment.
        String trimmed = value.strip();
        boolean structured = trimmed.startsWith("[") || trimmed.startsWith("{") || trimmed.startsWith("\"");
        if (structured || !value.contains("//")) {
            try {
                Config parsed = ConfigFactory.parseString("v = " + value, options);
                if (parsed.hasPath("v")) {
                    return ConfigFactory.empty().withValue(key, parsed.getValue("v"));
                }
            } catch (ConfigException e) {
                if (structured) {
                    throw new UsageError(origin + ": cannot parse the value: " + e.getMessage(), e);
                }
            }
        }
        return ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(value, origin));
    }
}
