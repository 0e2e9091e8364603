package org.sdspark.model.nn;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A glob over checkpoint keys or module paths: {@code *} matches any run of characters, dots
 * included, {@code ?} one character; everything else is literal. {@code *.to_q} is every module
 * named to_q at any depth (PEFT's target_modules suffix match), {@code unet.*} a whole component.
 */
public record KeyGlob(String glob, Pattern regex) {

    public static KeyGlob of(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new IllegalArgumentException("empty key pattern");
        }
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new KeyGlob(glob, Pattern.compile(re.toString()));
    }

    public boolean matches(String key) {
        return regex.matcher(key).matches();
    }

    public static boolean anyMatches(List<KeyGlob> globs, String key) {
        return globs.stream().anyMatch(g -> g.matches(key));
    }

    @Override
    public String toString() {
        return glob;
    }
}
