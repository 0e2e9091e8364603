package org.sdspark.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import org.sdspark.model.nn.AttentionOps;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Weights;

/** CLIP's multi-head self-attention ({@code self_attn.{q,k,v,out}_proj}). */
record ClipAttention(Linear q, Linear k, Linear v, Linear out, int heads) {

    static ClipAttention load(Weights w, ClipTextConfig c) {
        int d = c.hiddenSize();
        return new ClipAttention(
                Linear.load(w.at("q_proj"), d, d),
                Linear.load(w.at("k_proj"), d, d),
                Linear.load(w.at("v_proj"), d, d),
                Linear.load(w.at("out_proj"), d, d),
                c.numAttentionHeads());
    }

    /** Causal: each token attends to itself and the tokens before it. */
    NDArray forward(NDArray x) {
        NDArray query = AttentionOps.splitHeads(q.forward(x), heads);
        NDArray key = AttentionOps.splitHeads(k.forward(x), heads);
        NDArray value = AttentionOps.splitHeads(v.forward(x), heads);
        // transformers takes the softmax of float16 in float32. Not while autograd records: DJL's
        // cast is not differentiable and would cut the query and key out of the graph (the
        // engine's softmax accumulates in float32 anyway; the fused kernels always do).
        boolean upcast = x.getDataType() == DataType.FLOAT16 && !JniUtils.isGradMode();
        NDArray attended = AttentionOps.scaledDotProduct(query, key, value, true, upcast);
        return out.forward(AttentionOps.mergeHeads(attended));
    }
}
