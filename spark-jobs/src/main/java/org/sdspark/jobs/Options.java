package org.sdspark.jobs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parsed `--name value` arguments of one command; anything else is a usage error. */
public final class Options {

    private final Map<String, List<String>> values;
    private final Set<String> flags;

    private Options(Map<String, List<String>> values, Set<String> flags) {
        this.values = values;
        this.flags = flags;
    }

    /** @param names options of the command; each takes a value, may repeat, and `--name=value` works too */
    public static Options parse(List<String> args, Set<String> names) {
        return parse(args, names, Set.of());
    }

    /**
     * @param names options that take a value (may repeat; `--name=value` works too)
     * @param flagNames options that take none; the word after an option with a value is always
     *     that value, so `--prompt --fp16` is the prompt "--fp16"
     */
    public static Options parse(List<String> args, Set<String> names, Set<String> flagNames) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (flagNames.contains(arg)) {
                flags.add(arg);
                continue;
            }
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            if (names.contains(name)) {
                String value = inline;
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageError(name + " needs a value");
                    }
                    value = args.get(++i);
                }
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageError("unknown argument '" + arg + "' (see --help)");
            }
        }
        return new Options(values, flags);
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public Optional<String> value(String name) {
        List<String> all = all(name);
        if (all.size() > 1) {
            throw new UsageError(name + " given " + all.size() + " times");
        }
        return all.stream().findFirst();
    }

    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public int intValue(String name, int fallback) {
        return intValue(name, fallback, 1);
    }

    /** The integer value of {@code name}, at least {@code min}, or {@code fallback} when absent. */
    public int intValue(String name, int fallback, int min) {
        Optional<String> v = value(name);
        if (v.isEmpty()) {
            return fallback;
        }
        String expected = min == 1 ? "a positive integer" : "an integer >= " + min;
        try {
            int n = Integer.parseInt(v.get());
            if (n < min) {
                throw new UsageError(name + " must be " + expected + ", got " + v.get());
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageError(name + " must be " + expected + ", got '" + v.get() + "'");
        }
    }
}
