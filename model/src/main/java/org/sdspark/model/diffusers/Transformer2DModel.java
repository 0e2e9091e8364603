package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.sdspark.model.nn.Conv2d;
import org.sdspark.model.nn.GroupNorm;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Scoped;
import org.sdspark.model.nn.Weights;

/**
 * diffusers' Transformer2DModel for continuous inputs: group norm, proj_in, the pixels as tokens
 * through BasicTransformerBlocks, proj_out, plus the input. proj_in/proj_out are 1x1 convs (SD 1.x)
 * or linear layers applied to the tokens (SD 2.x, {@code use_linear_projection}).
 */
public record Transformer2DModel(GroupNorm norm, UnaryOperator<NDArray> projIn, List<BasicTransformerBlock> blocks,
                                 UnaryOperator<NDArray> projOut, boolean linearProjection) implements SpatialAttention {
    private static final float NORM_EPS = 1e-6f;

    public static Factory factory(int heads, int layers, long crossAttentionDim, int groups, boolean linearProjection) {
        return (w, channels) -> load(w, channels, heads, layers, crossAttentionDim, groups, linearProjection);
    }

    public static Transformer2DModel load(Weights w, long channels, int heads, int layers, long crossAttentionDim,
                                          int groups, boolean linearProjection) {
        if (channels % heads != 0) {
            throw new IllegalArgumentException(w.key("transformer_blocks") + ": " + channels + " channels do not split into " + heads + " heads");
        }
        long headDim = channels / heads;
        List<BasicTransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            blocks.add(BasicTransformerBlock.load(w.at("transformer_blocks", i), channels, heads, headDim, crossAttentionDim));
        }
        return new Transformer2DModel(
                GroupNorm.load(w.at("norm"), groups, channels, NORM_EPS),
                projection(w.at("proj_in"), channels, linearProjection),
                List.copyOf(blocks),
                projection(w.at("proj_out"), channels, linearProjection),
                linearProjection);
    }

    private static UnaryOperator<NDArray> projection(Weights w, long channels, boolean linear) {
        return linear ? Linear.load(w, channels, channels)::forward : Conv2d.load(w, channels, channels, 1, 1, 0)::forward;
    }

    @Override
    public NDArray forward(NDArray x, NDArray context) {
        return Scoped.forward(x, () -> {
            long h = x.getShape().get(2);
            long w = x.getShape().get(3);
            NDArray hidden = norm.forward(x);
            hidden = linearProjection ? projIn.apply(tokens(hidden)) : tokens(projIn.apply(hidden));
            for (BasicTransformerBlock block : blocks) {
                hidden = block.forward(hidden, context);
            }
            hidden = linearProjection ? pixels(projOut.apply(hidden), h, w) : projOut.apply(pixels(hidden, h, w));
            return hidden.add(x);
        });
    }

    private static NDArray tokens(NDArray x) {
        return x.transpose(0, 2, 3, 1).reshape(x.getShape().get(0), -1, x.getShape().get(1));
    }

    // Copied to row-major (B, C, H, W) as diffusers' .contiguous() does: a channels-last strided view
    // would make the next conv and the residual add channels-last, and every later group norm copy
    // its input back. (B, C, H*W) to (B*C, H*W) cannot be a view, so the engine's reshape copies.
    private static NDArray pixels(NDArray tokens, long h, long w) {
        long b = tokens.getShape().get(0);
        long c = tokens.getShape().get(2);
        return tokens.transpose(0, 2, 1).reshape(b * c, h * w).reshape(b, c, h, w);
    }
}
