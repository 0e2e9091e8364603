package org.sdspark.prep.plan;

import java.io.Serializable;

/**
 * How epochs are cut into steps. {@code batchSize} is per rank and micro-batch, so a global batch
 * holds {@code batchSize * worldSize} examples and an optimizer step {@code accumulation} global
 * batches. The probabilities are per image: a horizontal flip, an empty caption (diffusers'
 * {@code proportion_empty_prompts}, kohya's {@code caption_dropout_rate}).
 */
public record PlanSettings(long seed, int batchSize, int worldSize, int accumulation,
                           double flipProbability, double captionDropout) implements Serializable {
    public PlanSettings {
        positive("batch size", batchSize);
        positive("world size", worldSize);
        positive("accumulation", accumulation);
        probability("flip probability", flipProbability);
        probability("caption dropout", captionDropout);
    }

    public int globalBatchSize() {
        return Math.multiplyExact(batchSize, worldSize);
    }

    private static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " is " + value + "; at least 1");
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(name + " is " + p + "; between 0 and 1");
    }
}
