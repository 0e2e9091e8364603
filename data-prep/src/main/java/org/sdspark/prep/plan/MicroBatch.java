package org.sdspark.prep.plan;

import java.io.Serializable;
import java.util.List;

/**
 * One rank's share of one global batch: micro-batch {@code micro} of optimizer step {@code step} of
 * {@code epoch}. Samples come in diffusers' DreamBooth collate order: the instance images, then (with
 * prior preservation) the class images paired with them. All instance images share one bucket, and
 * so do all class images.
 */
public record MicroBatch(int epoch, int step, int micro, int rank, List<Sample> samples) implements Serializable {
    public MicroBatch {
        samples = List.copyOf(samples);
    }
}
