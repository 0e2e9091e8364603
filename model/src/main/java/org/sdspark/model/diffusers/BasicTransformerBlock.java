package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.LayerNorm;
import org.sdspark.model.nn.Scoped;
import org.sdspark.model.nn.Weights;

/** Pre-norm transformer block: self-attention, cross-attention to the text, GEGLU feed-forward. */
public record BasicTransformerBlock(LayerNorm norm1, Attention attn1, LayerNorm norm2, Attention attn2,
                                    LayerNorm norm3, FeedForward ff) {
    private static final float EPS = 1e-5f;

    public static BasicTransformerBlock load(Weights w, long dim, int heads, long headDim, long crossAttentionDim) {
        return new BasicTransformerBlock(
                LayerNorm.load(w.at("norm1"), dim, EPS),
                Attention.load(w.at("attn1"), dim, dim, heads, headDim, false),
                LayerNorm.load(w.at("norm2"), dim, EPS),
                Attention.load(w.at("attn2"), dim, crossAttentionDim, heads, headDim, false),
                LayerNorm.load(w.at("norm3"), dim, EPS),
                FeedForward.load(w.at("ff"), dim, dim * 4));
    }

    public NDArray forward(NDArray x, NDArray context) {
        return Scoped.forward(x, () -> {
            NDArray h = attn1.forward(norm1.forward(x), null).add(x);
            h = attn2.forward(norm2.forward(h), context).add(h);
            return ff.forward(norm3.forward(h)).add(h);
        });
    }
}
