package org.sdspark.model.embedding;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * A learned token: its text and its vectors (n, dim). A multi-vector token {@code t} takes n tokens
 * {@code t, t_1, ..., t_(n-1)}, as diffusers' {@code load_textual_inversion} adds them.
 */
public record TextualInversion(String token, NDArray vectors) {

    public TextualInversion {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a textual inversion token must not be blank");
        }
        if (vectors.getShape().dimension() != 2) {
            throw new IllegalArgumentException(token + ": vectors must be (n, dim), got " + vectors.getShape());
        }
    }

    /** The tokens its vectors take, in order. */
    public List<String> tokens() {
        List<String> tokens = new ArrayList<>();
        tokens.add(token);
        for (int i = 1; i < vectors.getShape().get(0); i++) {
            tokens.add(token + "_" + i);
        }
        return tokens;
    }
}
