package org.sdspark.model.generation;

/**
 * transformers' logits processors that captioning uses, in transformers' order (repetition
 * penalty, then minimum length), on one row of scores in place. float32 arithmetic as PyTorch
 * does it, so a search picks the same token from the same scores.
 */
final class LogitsProcessors {
    private final float repetitionPenalty;
    private final int minLength;
    private final int endToken;

    LogitsProcessors(GenerationSettings settings, int endToken) {
        this.repetitionPenalty = (float) settings.repetitionPenalty();
        this.minLength = settings.minLength();
        this.endToken = endToken;
    }

    /** {@code sequence} holds the row's tokens so far, {@code length} of them (padding included). */
    void apply(long[] sequence, int length, float[] scores) {
        if (repetitionPenalty != 1f) {
            // Every occurrence is visited but a token is penalised once: transformers gathers the
            // original scores and scatters the penalised ones back.
            boolean[] seen = new boolean[scores.length];
            for (int i = 0; i < length; i++) {
                int token = (int) sequence[i];
                if (!seen[token]) {
                    seen[token] = true;
                    float s = scores[token];
                    scores[token] = s < 0 ? s * repetitionPenalty : s / repetitionPenalty;
                }
            }
        }
        if (length < minLength) {
            scores[endToken] = Float.NEGATIVE_INFINITY;
        }
    }
}
