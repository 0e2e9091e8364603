package org.sdspark.prep.caption;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a captioning model's caption does to a row's existing caption. */
public enum CaptionMode {
    /** Caption only rows without one (null or blank); others are left as they are. */
    FILL,
    /** Caption every row, discarding existing captions. */
    REPLACE,
    /** Caption every row; the model's caption goes before the existing one. */
    PREPEND,
    /** Caption every row; the model's caption goes after the existing one. */
    APPEND;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CaptionMode parse(String code) {
        for (CaptionMode m : values()) {
            if (m.code().equals(code)) return m;
        }
        throw new IllegalArgumentException("unknown mode '" + code + "', expected one of "
                + Arrays.stream(values()).map(CaptionMode::code).collect(Collectors.joining("|")));
    }

    /** Whether a row with this caption is sent to the model. */
    public boolean captions(String existing) {
        return this != FILL || isBlank(existing);
    }

    /** The row's new caption; a blank existing caption is never joined with a separator. */
    public String merge(String existing, String generated, String separator) {
        if (isBlank(existing)) return generated;
        return switch (this) {
            case FILL -> existing;
            case REPLACE -> generated;
            case PREPEND -> generated + separator + existing;
            case APPEND -> existing + separator + generated;
        };
    }

    private static boolean isBlank(String caption) {
        return caption == null || caption.isBlank();
    }
}
