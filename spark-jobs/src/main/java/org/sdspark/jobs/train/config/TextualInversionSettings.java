package org.sdspark.jobs.train.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.sdspark.model.embedding.EmbeddingLayout;
import org.sdspark.prep.Block;

/**
 * {@code sdspark.train.textual-inversion}: the placeholder word the captions use, the vocabulary
 * word its vectors start from, how many vectors ({@code <tok>, <tok>_1, ...}, as diffusers names
 * them), and the file layouts written at the end.
 */
public record TextualInversionSettings(String placeholderToken, String initializerToken, int vectors,
                                       List<EmbeddingLayout> layouts) implements Serializable {

    public TextualInversionSettings {
        layouts = List.copyOf(layouts);
    }

    public static TextualInversionSettings read(Block train) {
        Block b = train.child("textual-inversion");
        List<EmbeddingLayout> layouts = new ArrayList<>();
        for (String layout : b.getStringList("layouts")) {
            layouts.add(switch (layout) {
                case "diffusers" -> EmbeddingLayout.DIFFUSERS;
                case "a1111" -> EmbeddingLayout.A1111;
                default -> throw b.bad("layouts", "has '" + layout + "'; each one of diffusers, a1111");
            });
        }
        if (layouts.isEmpty()) {
            throw b.bad("layouts", "must name at least one of diffusers, a1111");
        }
        String token = b.requiredString("placeholder-token");
        if (token.contains(" ")) {
            throw b.bad("placeholder-token", "must be one word, got '" + token + "'");
        }
        return new TextualInversionSettings(token, b.requiredString("initializer-token"), b.positive("vectors"), layouts);
    }

    /** The tokens the embedding's vectors take: {@code <tok>, <tok>_1, ...}. */
    public List<String> tokens() {
        List<String> tokens = new ArrayList<>();
        tokens.add(placeholderToken);
        for (int i = 1; i < vectors; i++) {
            tokens.add(placeholderToken + "_" + i);
        }
        return tokens;
    }
}
