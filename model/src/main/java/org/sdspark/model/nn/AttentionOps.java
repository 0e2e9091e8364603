package org.sdspark.model.nn;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head scaled dot-product attention: PyTorch's fused kernels through the
 * {@link TorchExtension} where it is loaded, else composed from matmul and softmax (DJL's engine
 * exposes no fused attention op).
 */
public final class AttentionOps {
    private AttentionOps() {
    }

    /** (B, L, H*D) to (B, H, L, D). */
    public static NDArray splitHeads(NDArray x, int heads) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        return x.reshape(b, l, heads, -1).transpose(0, 2, 1, 3);
    }

    /** (B, H, L, D) to (B, L, H*D). */
    public static NDArray mergeHeads(NDArray x) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(2);
        return x.transpose(0, 2, 1, 3).reshape(b, l, -1);
    }

    /**
     * softmax(q k^T / sqrt(d)) v for (B, H, L, D) inputs, with {@code causal} a token attending only
     * to itself and earlier ones. With {@code upcast}, the composed scores and softmax run in float32
     * whatever the input type (diffusers' upcast_attention/upcast_softmax for fp16); the fused
     * kernels always accumulate in float32.
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, boolean causal, boolean upcast) {
        if (TorchExtension.fuses(TorchExtension.Op.ATTENTION)) {
            return TorchExtension.scaledDotProductAttention(q, k, v, causal);
        }
        return composed(q, k, v, causal, upcast);
    }

    /**
     * softmax(q k^T / sqrt(d) + mask) v with an additive {@code mask} broadcastable to (B, H, Lq, Lk)
     * (padding and causal masks of batched generation), or none: fused where the extension is loaded
     * and there is no mask, composed otherwise.
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray mask, boolean upcast) {
        return mask == null ? scaledDotProduct(q, k, v, false, upcast) : composed(q, k, v, mask, upcast);
    }

    /** The composed path alone: the reference the fused kernels are tested against. */
    public static NDArray composed(NDArray q, NDArray k, NDArray v, boolean causal, boolean upcast) {
        return composed(q, k, v, causal ? causalMask(q, q.getShape().get(2)) : null, upcast);
    }

    private static NDArray composed(NDArray q, NDArray k, NDArray v, NDArray mask, boolean upcast) {
        DataType type = q.getDataType();
        double scale = 1.0 / Math.sqrt(q.getShape().get(3));
        NDArray query = upcast ? q.toType(DataType.FLOAT32, false) : q;
        NDArray key = upcast ? k.toType(DataType.FLOAT32, false) : k;
        NDArray scores = query.mul(scalar(query, scale)).matMul(key.transpose(0, 1, 3, 2));
        if (mask != null) {
            // a float32 mask would promote float16 scores (recorded, not upcast) and v's product would mix types
            scores = scores.add(mask.getDataType() == scores.getDataType() ? mask : mask.toType(scores.getDataType(), false));
        }
        NDArray probs = scores.softmax(-1);
        return (upcast ? probs.toType(type, false) : probs).matMul(v);
    }

    // Additive (1, 1, L, L). transformers uses the dtype's lowest value rather than -inf; the
    // softmax is the same.
    private static NDArray causalMask(NDArray like, long length) {
        int l = Math.toIntExact(length);
        float[] mask = new float[l * l];
        for (int i = 0; i < l; i++) {
            for (int j = i + 1; j < l; j++) {
                mask[i * l + j] = -Float.MAX_VALUE;
            }
        }
        return Constants.of(like.getManager(), mask, new Shape(1, 1, l, l));
    }
}
