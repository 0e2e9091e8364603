package org.sdspark.model.lora;

/** The rank and alpha of one adapted layer (its scale is alpha / rank). */
public record LoraSpec(int rank, double alpha) {
    public LoraSpec {
        if (rank <= 0) {
            throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
        }
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be a positive number, got " + alpha);
        }
    }
}
