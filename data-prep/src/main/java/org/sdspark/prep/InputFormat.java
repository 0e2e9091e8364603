package org.sdspark.prep;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How an input tree is laid out; {@code AUTO} lets {@code FolderLayout} detect it. */
public enum InputFormat {
    AUTO, FOLDER, KOHYA, DREAMBOOTH, PARQUET;

    /** The name used in configuration files and reports. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a configuration value; the caller turns the exception into a config error. */
    public static InputFormat parse(String code) {
        for (InputFormat f : values()) {
            if (f.code().equals(code)) return f;
        }
        throw new IllegalArgumentException("unknown format '" + code + "', expected one of "
                + Arrays.stream(values()).map(InputFormat::code).collect(Collectors.joining("|")));
    }
}
