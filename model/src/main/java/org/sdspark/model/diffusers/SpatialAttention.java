package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.Weights;

/** An attention layer of a down/mid/up block: (B, C, H, W) in and out, optionally attending to a context. */
public interface SpatialAttention {

    NDArray forward(NDArray x, NDArray context);

    /** Builds a block's attention layer for its channel count from its weights. */
    @FunctionalInterface
    interface Factory {
        SpatialAttention load(Weights w, long channels);
    }
}
