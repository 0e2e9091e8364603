package org.sdspark.model.generation;

import java.util.Arrays;

/**
 * transformers' greedy decoding: each row takes its highest-scoring token (the first on ties)
 * after the logits processors; a row that produced the end token is padded until every row has
 * ended or the maximum length is reached.
 */
public final class GreedySearch {
    private GreedySearch() {
    }

    /** The prompts followed by the generated tokens, all rows the same length (transformers' output). */
    public static long[][] generate(TokenScorer scorer, long[][] prompts, int[][] mask, GenerationSettings settings,
                                    int endToken, int padToken) {
        int rows = prompts.length;
        int promptLength = prompts[0].length;
        int maxLength = settings.maxLengthFor(promptLength);
        LogitsProcessors processors = new LogitsProcessors(settings, endToken);
        long[][] sequences = new long[rows][];
        for (int r = 0; r < rows; r++) {
            sequences[r] = Arrays.copyOf(prompts[r], maxLength);
        }
        boolean[] unfinished = new boolean[rows];
        Arrays.fill(unfinished, true);
        float[][] scores = scorer.prefill(prompts, mask);
        int length = promptLength;
        while (true) {
            long[] tokens = new long[rows];
            boolean any = false;
            for (int r = 0; r < rows; r++) {
                processors.apply(sequences[r], length, scores[r]);
                tokens[r] = unfinished[r] ? argmax(scores[r]) : padToken;
                sequences[r][length] = tokens[r];
                unfinished[r] &= tokens[r] != endToken && length + 1 < maxLength;
                any |= unfinished[r];
            }
            length++;
            if (!any) {
                break;
            }
            scores = scorer.next(tokens);
        }
        for (int r = 0; r < rows; r++) {
            sequences[r] = Arrays.copyOf(sequences[r], length);
        }
        return sequences;
    }

    static int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }
}
