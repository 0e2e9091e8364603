package org.sdspark.model.nn;

/**
 * One LoRA layer's rank r, alpha (the branch is scaled by alpha / r, PEFT's {@code scaling}) and
 * the dropout applied to its input while training (0 in files and at inference).
 */
public record LoraSpec(int rank, double alpha, double dropout) {

    /** Without dropout: what a LoRA file records of a layer. */
    public LoraSpec(int rank, double alpha) {
        this(rank, alpha, 0);
    }

    public LoraSpec {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
        }
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be a positive number, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
    }

    public double scale() {
        return alpha / rank;
    }
}
