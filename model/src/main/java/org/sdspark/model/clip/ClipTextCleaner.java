package org.sdspark.model.clip;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * CLIP's text normalisation before splitting into words, as transformers 5's CLIPTokenizer does
 * it: canonical composition (NFC), every run of whitespace as one space, lower case.
 */
final class ClipTextCleaner {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private ClipTextCleaner() {
    }

    static String clean(String text) {
        String composed = Normalizer.normalize(text, Normalizer.Form.NFC);
        // Lower-casing is per character there, so a word-final capital sigma becomes σ, never ς.
        return WHITESPACE.matcher(composed).replaceAll(" ").replace('\u03a3', '\u03c3').toLowerCase(Locale.ROOT);
    }
}
