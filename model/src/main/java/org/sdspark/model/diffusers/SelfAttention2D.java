package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.GroupNorm;
import org.sdspark.model.nn.Weights;

/**
 * The VAE's attention: diffusers' Attention with a group norm, one head over all channels, biased
 * projections and a residual connection, applied to the pixels as tokens.
 */
public record SelfAttention2D(GroupNorm groupNorm, Attention attention) implements SpatialAttention {

    public static Factory factory(int groups, float eps) {
        return (w, channels) -> load(w, channels, groups, eps);
    }

    public static SelfAttention2D load(Weights w, long channels, int groups, float eps) {
        return new SelfAttention2D(GroupNorm.load(w.at("group_norm"), groups, channels, eps),
                Attention.load(w, channels, channels, 1, channels, true));
    }

    /** The context is ignored: this is self-attention. */
    @Override
    public NDArray forward(NDArray x, NDArray context) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        NDArray tokens = groupNorm.forward(x).reshape(b, c, -1).transpose(0, 2, 1);
        NDArray attended = attention.forward(tokens, null).transpose(0, 2, 1).reshape(x.getShape());
        return attended.add(x);
    }
}
