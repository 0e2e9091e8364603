package org.sdspark.prep.filter;

import java.util.Locale;

/** Why an input file did not make it into the prepared dataset. */
public enum Reason {
    UNDECODABLE, TRUNCATED, ZERO_BYTES, NOT_AN_IMAGE, TOO_SMALL, LOW_BYTES_PER_PIXEL, EXTREME_ASPECT,
    DECOMPRESSION_BOMB, MISSING_CAPTION, MISSING_FILE, DUPLICATE, NEAR_DUPLICATE;

    /** Stable lower-case name used in reports, e.g. {@code too_small}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Reason ofCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
