package org.sdspark.jobs.train.config;

import java.io.Serializable;
import org.sdspark.prep.Block;
import org.sdspark.prep.tensor.ResampleFilter;

/**
 * How a run's images reach the loop: per-image flip and caption-dropout probabilities (decided by
 * the plan), the resize filter, whether cached latents replace encoding, and each worker's loader.
 */
public record DataSettings(double flipProbability, double captionDropout, ResampleFilter resample, Latents latents,
                           int loaderThreads, int prefetch) implements Serializable {

    /** Where latents come from: the dataset's cache when it has one, always the VAE, or the cache only. */
    public enum Latents { AUTO, PIXELS, CACHED }

    public static DataSettings read(Block train) {
        double flip = train.nonNegative("flip-probability");
        double dropout = train.nonNegative("caption-dropout");
        if (flip > 1 || dropout > 1) {
            throw train.bad(flip > 1 ? "flip-probability" : "caption-dropout", "must be a probability in [0, 1]");
        }
        Block loader = train.child("loader");
        return new DataSettings(flip, dropout, train.choice("resample", ResampleFilter.class),
                train.choice("latents", Latents.class), loader.positive("threads"), loader.positive("prefetch"));
    }
}
