package org.sdspark.model.bench;

import java.util.Iterator;

/** The option values of a benchmark's command line, with errors that name the option and the usage. */
public final class BenchmarkArguments {
    private BenchmarkArguments() {
    }

    public static String value(String option, Iterator<String> it, String usage) {
        if (!it.hasNext()) {
            throw new IllegalArgumentException(option + " needs a value; usage: " + usage);
        }
        return it.next();
    }

    public static int intValue(String option, Iterator<String> it, String usage) {
        String value = value(option, it, usage);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs an integer, not '" + value + "'");
        }
    }
}
