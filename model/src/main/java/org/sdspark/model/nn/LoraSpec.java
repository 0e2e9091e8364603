package org.sdspark.model.nn;

/**
 * The shape of one LoRA branch: rank r, alpha (the branch is scaled by alpha / r, PEFT's
 * {@code scaling}) and the dropout applied to its input while training.
 */
public record LoraSpec(int rank, double alpha, double dropout) {

    public LoraSpec {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("LoRA alpha must be > 0, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
    }

    public double scale() {
        return alpha / rank;
    }
}
