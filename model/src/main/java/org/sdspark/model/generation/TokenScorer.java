package org.sdspark.model.generation;

/**
 * A decoder as searches see it: scores of the next token for every row, one row per sequence
 * being extended. Rows keep their order unless {@link #reorder} moves them.
 */
public interface TokenScorer {

    /** Feeds the prompts (rows, length; {@code mask} 0 marks padding) and scores the next token. */
    float[][] prefill(long[][] ids, int[][] mask);

    /** Appends one token to every row and scores the next one. */
    float[][] next(long[] tokens);

    /** Row i continues from the former row {@code rows[i]}. */
    void reorder(long[] rows);
}
