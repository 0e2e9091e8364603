package org.sdspark.model.clip;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * CLIP's text normalisation before splitting into words: canonical composition (NFC), every run
 * of whitespace as one space, lower case.
 */
final class ClipTextCleaner {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private ClipTextCleaner() {
    }

    static String clean(String text) {
        String composed = Normalizer.normalize(text, Normalizer.Form.NFC);
        return WHITESPACE.matcher(composed).replaceAll(" ").toLowerCase(Locale.ROOT);
    }
}
