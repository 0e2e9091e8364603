package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.sdspark.model.nn.Conv2d;
import org.sdspark.model.nn.Weights;

/**
 * Stride-2 3x3 conv. With padding 0 (the VAE's encoder) the input is first padded by one row and
 * column at the bottom and right only, as in the original LDM code.
 */
public record Downsample2D(Conv2d conv, boolean padBottomRight) {

    public static Downsample2D load(Weights w, long channels, int padding) {
        return new Downsample2D(Conv2d.load(w.at("conv"), channels, channels, 3, 2, padding), padding == 0);
    }

    public NDArray forward(NDArray x) {
        return conv.forward(padBottomRight ? x.pad(new Shape(0, 1, 0, 1), 0) : x);
    }
}
