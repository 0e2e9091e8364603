package org.sdspark.model.generation;

/**
 * How to search for a caption, with transformers' {@code generate} meanings: lengths count the
 * prompt's tokens too ({@code max_length}, {@code min_length}) unless given as new tokens;
 * {@code numBeams} 1 is greedy search.
 *
 * @param maxNewTokens tokens generated after the prompt at most (transformers' default 20), or 0
 *     to use {@code maxLength}
 * @param maxLength whole sequence length at most, prompt included; used when maxNewTokens is 0
 * @param minLength the end token is forbidden while the sequence (prompt included) is shorter
 * @param repetitionPenalty CTRL's penalty on every token already in the sequence; 1 = none
 * @param lengthPenalty beam search: a finished beam scores sum(log p) / length^lengthPenalty
 */
public record GenerationSettings(int numBeams, int maxNewTokens, int maxLength, int minLength,
                                 double repetitionPenalty, double lengthPenalty) {

    public GenerationSettings {
        if (numBeams < 1) {
            throw new IllegalArgumentException("num beams must be at least 1, got " + numBeams);
        }
        if (maxNewTokens < 0 || maxLength < 0 || minLength < 0) {
            throw new IllegalArgumentException("lengths must not be negative");
        }
        if (maxNewTokens == 0 && maxLength == 0) {
            throw new IllegalArgumentException("set max new tokens or max length");
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetition penalty must be positive, got " + repetitionPenalty);
        }
    }

    /** transformers' defaults: greedy, 20 new tokens, no penalties. */
    public static GenerationSettings defaults() {
        return new GenerationSettings(1, 20, 0, 0, 1.0, 1.0);
    }

    /** The sequence length generation stops at, for a prompt of {@code promptLength} tokens. */
    public int maxLengthFor(int promptLength) {
        int max = maxNewTokens > 0 ? promptLength + maxNewTokens : maxLength;
        if (max <= promptLength) {
            throw new IllegalArgumentException("max length " + max + " leaves no room after a prompt of "
                    + promptLength + " tokens");
        }
        return max;
    }
}
