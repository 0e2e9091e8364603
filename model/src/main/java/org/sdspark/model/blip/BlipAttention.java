package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.sdspark.model.nn.AttentionOps;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Weights;

/** The ViT's self-attention: one fused {@code qkv} projection, heads, {@code projection} back. */
record BlipAttention(Linear qkv, Linear projection, int heads) {

    static BlipAttention load(Weights w, BlipVisionConfig c) {
        long d = c.hiddenSize();
        return new BlipAttention(Linear.load(w.at("qkv"), d, 3 * d), Linear.load(w.at("projection"), d, d),
                c.numAttentionHeads());
    }

    NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        // (B, L, 3, H, Dh) -> (3, B, H, L, Dh): the fused output is q, k, v one after the other.
        NDArray qkvHeads = qkv.forward(x).reshape(b, l, 3, heads, -1).transpose(2, 0, 3, 1, 4);
        boolean upcast = x.getDataType() == DataType.FLOAT16;
        NDArray attended = AttentionOps.scaledDotProduct(qkvHeads.get(0), qkvHeads.get(1), qkvHeads.get(2), null, upcast);
        return projection.forward(AttentionOps.mergeHeads(attended));
    }
}
