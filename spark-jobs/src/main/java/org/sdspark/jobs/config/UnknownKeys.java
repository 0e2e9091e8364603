package org.sdspark.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.sdspark.jobs.UsageError;

/**
 * Every key a user sets must exist in the reference configuration: a typo would otherwise be
 * ignored silently and the default used. An empty object in the reference (`conf = {}`) is a
 * free-form map whose keys are not checked.
 */
final class UnknownKeys {

    private static final String ROOT = "sdspark";

    private UnknownKeys() {
    }

    static void check(Config user, Config reference) {
        Set<String> known = knownPaths(reference);
        for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
            String path = entry.getKey();
            if (!reference.hasPathOrNull(path) && !underFreeForm(path, reference)) {
                String hint = suggestion(path, known).map(s -> " (did you mean " + s + "?)").orElse("");
                throw new UsageError(entry.getValue().origin().description() + ": unknown key " + path + hint);
            }
        }
    }

    private static boolean underFreeForm(String path, Config reference) {
        List<String> keys = ConfigUtil.splitPath(path);
        for (int i = keys.size() - 1; i > 0; i--) {
            String prefix = ConfigUtil.joinPath(keys.subList(0, i));
            if (reference.hasPathOrNull(prefix)) {
                ConfigValue v = reference.getValue(prefix);
                return v.valueType() == ConfigValueType.OBJECT && ((ConfigObject) v).isEmpty();
            }
        }
        return false;
    }

    private static Set<String> knownPaths(Config reference) {
        if (!reference.hasPath(ROOT)) {
            return Set.of();
        }
        return reference.getConfig(ROOT).entrySet().stream()
                .map(e -> ROOT + "." + e.getKey())
                .collect(Collectors.toSet());
    }

    /** The known key closest in edit distance, if it is close enough to be a plausible typo. */
    static Optional<String> suggestion(String path, Set<String> known) {
        return known.stream()
                .map(k -> Map.entry(k, Math.min(distance(path, k), distance(ROOT + "." + path, k))))
                .filter(e -> e.getValue() <= Math.max(3, path.length() / 4))
                .min(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                        .thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey);
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
