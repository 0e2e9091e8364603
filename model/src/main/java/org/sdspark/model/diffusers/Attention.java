package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import org.sdspark.model.nn.AttentionOps;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Weights;

/**
 * diffusers' Attention over token sequences: to_q from the hidden states, to_k/to_v from the
 * context (cross-attention) or the hidden states themselves (self-attention), to_out.0.
 */
public record Attention(Linear toQ, Linear toK, Linear toV, Linear toOut, int heads) {

    /** {@code qkvBias}: the UNet's projections have none, the VAE's have. */
    public static Attention load(Weights w, long queryDim, long contextDim, int heads, long headDim, boolean qkvBias) {
        long inner = heads * headDim;
        return new Attention(
                projection(w.at("to_q"), queryDim, inner, qkvBias),
                projection(w.at("to_k"), contextDim, inner, qkvBias),
                projection(w.at("to_v"), contextDim, inner, qkvBias),
                Linear.load(w.at("to_out", 0), inner, queryDim),
                heads);
    }

    private static Linear projection(Weights w, long in, long out, boolean bias) {
        return bias ? Linear.load(w, in, out) : Linear.loadNoBias(w, in, out);
    }

    /**
     * (B, L, queryDim) attending to {@code context} (B, Lc, contextDim), or to itself when null.
     * In float16 inference the scores and softmax are computed in float32 (diffusers'
     * upcast_attention/upcast_softmax; the fused kernels accumulate in float32 too), so it is done
     * for every model. While autograd records (inside a GradientCollector) they stay in float16,
     * the engine's matmul and softmax accumulating in float32: DJL's cast is not differentiable and
     * would cut the graph.
     */
    public NDArray forward(NDArray x, NDArray context) {
        NDArray source = context == null ? x : context;
        NDArray q = AttentionOps.splitHeads(toQ.forward(x), heads);
        NDArray k = AttentionOps.splitHeads(toK.forward(source), heads);
        NDArray v = AttentionOps.splitHeads(toV.forward(source), heads);
        boolean upcast = x.getDataType() == DataType.FLOAT16 && !JniUtils.isGradMode();
        return toOut.forward(AttentionOps.mergeHeads(AttentionOps.scaledDotProduct(q, k, v, false, upcast)));
    }
}
