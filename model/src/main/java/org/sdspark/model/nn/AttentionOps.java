package org.sdspark.model.nn;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Multi-head scaled dot-product attention composed from matmul and softmax (DJL's engine exposes
 * no fused attention op).
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
     * softmax(q k^T / sqrt(d) + mask) v for (B, H, L, D) inputs. {@code mask} is additive and
     * broadcastable to (B, H, Lq, Lk), or null. With {@code upcast}, scores and softmax run in
     * float32 whatever the input type (diffusers' upcast_attention/upcast_softmax for fp16).
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray mask, boolean upcast) {
        DataType type = q.getDataType();
        double scale = 1.0 / Math.sqrt(q.getShape().get(3));
        NDArray query = upcast ? q.toType(DataType.FLOAT32, false) : q;
        NDArray key = upcast ? k.toType(DataType.FLOAT32, false) : k;
        NDArray scores = query.mul(scalar(query, scale)).matMul(key.transpose(0, 1, 3, 2));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray probs = scores.softmax(-1);
        return (upcast ? probs.toType(type, false) : probs).matMul(v);
    }
}
