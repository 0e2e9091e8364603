package org.sdspark.model.clip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Tokens added to a CLIP vocabulary (textual inversion placeholders), as transformers adds them
 * with {@code add_tokens}: not special, so matched in the normalised (lower-cased) text, whole,
 * leftmost and longest first, before the rest is split into words; ids follow the vocabulary's.
 * Multi-vector embeddings are added as {@code t, t_1, t_2, ...}.
 */
final class AddedTokens {
    private final int firstId;
    private final List<String> tokens;
    private final Map<String, Integer> ids;
    private final Map<String, String> byNormalised;
    private final List<String> normalisedLongestFirst;

    private AddedTokens(int firstId, List<String> tokens) {
        this.firstId = firstId;
        this.tokens = List.copyOf(tokens);
        this.ids = new HashMap<>();
        this.byNormalised = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            String normalised = ClipTextCleaner.clean(token);
            if (token.isBlank() || ids.put(token, firstId + i) != null) {
                throw new IllegalArgumentException("added token '" + token + "' is " + (token.isBlank() ? "blank" : "added twice"));
            }
            String other = byNormalised.put(normalised, token);
            if (other != null) {
                throw new IllegalArgumentException("added tokens '" + other + "' and '" + token
                        + "' are the same token once lower-cased; choose another name");
            }
        }
        this.normalisedLongestFirst = byNormalised.keySet().stream()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    static AddedTokens none(int firstId) {
        return new AddedTokens(firstId, List.of());
    }

    AddedTokens with(List<String> more) {
        List<String> all = new ArrayList<>(tokens);
        all.addAll(more);
        return new AddedTokens(firstId, all);
    }

    List<String> tokens() {
        return tokens;
    }

    Optional<Integer> id(String token) {
        return Optional.ofNullable(ids.get(token));
    }

    /** Cuts normalised text at added tokens: the text between them goes to {@code plain}, each token found to {@code token}. */
    void split(String text, Consumer<String> plain, Consumer<String> token) {
        int start = 0;
        int pos = 0;
        while (pos < text.length()) {
            String match = longestAt(text, pos);
            if (match == null) {
                pos++;
                continue;
            }
            plain.accept(text.substring(start, pos));
            token.accept(byNormalised.get(match));
            pos += match.length();
            start = pos;
        }
        plain.accept(text.substring(start));
    }

    /**
     * diffusers' {@code maybe_convert_prompt}: every added token {@code t} among the text's
     * {@code tokens} that has continuations {@code t_1, t_2, ...} is replaced, wherever the text has
     * it written exactly, by {@code "t t_1 t_2 ..."}, so a multi-vector embedding brings all its vectors.
     */
    String expandMultiVector(String text, List<String> tokens) {
        String expanded = text;
        for (String token : new LinkedHashSet<>(tokens)) {
            if (ids.containsKey(token + "_1")) {
                StringBuilder all = new StringBuilder(token);
                for (int i = 1; ids.containsKey(token + "_" + i); i++) {
                    all.append(' ').append(token).append('_').append(i);
                }
                expanded = expanded.replace(token, all);
            }
        }
        return expanded;
    }

    private String longestAt(String text, int pos) {
        for (String candidate : normalisedLongestFirst) {
            if (text.startsWith(candidate, pos)) {
                return candidate;
            }
        }
        return null;
    }
}
