package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.AttentionOps;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Weights;

/**
 * BERT's multi-head attention projections ({@code query}, {@code key}, {@code value}); keys and
 * values come from the text itself (self-attention) or from the image embeddings
 * (cross-attention, whose key/value input width is the vision width).
 */
record BlipTextSelfAttention(Linear query, Linear key, Linear value, int heads) {

    static BlipTextSelfAttention load(Weights w, BlipTextConfig c, long keyValueWidth) {
        long d = c.hiddenSize();
        return new BlipTextSelfAttention(Linear.load(w.at("query"), d, d), Linear.load(w.at("key"), keyValueWidth, d),
                Linear.load(w.at("value"), keyValueWidth, d), c.numAttentionHeads());
    }

    NDArray keys(NDArray source) {
        return AttentionOps.splitHeads(key.forward(source), heads);
    }

    NDArray values(NDArray source) {
        return AttentionOps.splitHeads(value.forward(source), heads);
    }

    /**
     * (B, L, D) queries attending to (B, H, Lk, Dh) keys and values; {@code mask} is additive
     * float32, broadcastable to (B, H, L, Lk), or null. Scores and softmax run in float32 for
     * float16 weights too (no graph to keep: generation only).
     */
    NDArray attend(NDArray x, NDArray keys, NDArray values, NDArray mask) {
        NDArray q = AttentionOps.splitHeads(query.forward(x), heads);
        return AttentionOps.mergeHeads(AttentionOps.scaledDotProduct(q, keys, values, mask, true));
    }
}
