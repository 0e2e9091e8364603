package org.sdspark.model.train.optim;

/**
 * A contiguous range [from, to) of the flat buffer trained with its own learning rate and weight
 * decay (a component: the text encoder often trains with a lower rate than the UNet).
 */
public record Segment(long from, long to, double lr, double weightDecay) {

    public Segment {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("empty or negative segment [" + from + ", " + to + ")");
        }
    }
}
