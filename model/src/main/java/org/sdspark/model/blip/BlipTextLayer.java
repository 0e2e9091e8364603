package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;
import org.sdspark.model.nn.Activations;
import org.sdspark.model.nn.LayerNorm;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Weights;

/**
 * One BERT decoder layer: causal self-attention over the text, cross-attention to the image,
 * feed-forward ({@code intermediate}, {@code output}), each followed by add and LayerNorm.
 */
record BlipTextLayer(BlipTextAttention attention, BlipTextAttention crossattention, Linear intermediate,
                     UnaryOperator<NDArray> activation, Linear output, LayerNorm outputLayerNorm) {

    static BlipTextLayer load(Weights w, BlipTextConfig c) {
        return new BlipTextLayer(
                BlipTextAttention.load(w.at("attention"), c, c.hiddenSize()),
                BlipTextAttention.load(w.at("crossattention"), c, c.encoderHiddenSize()),
                Linear.load(w.at("intermediate.dense"), c.hiddenSize(), c.intermediateSize()),
                Activations.byName(c.hiddenAct()),
                Linear.load(w.at("output.dense"), c.intermediateSize(), c.hiddenSize()),
                LayerNorm.load(w.at("output.LayerNorm"), c.hiddenSize(), c.layerNormEps()));
    }

    /** The new tokens' states; their keys and values are appended to the layer's cache first. */
    NDArray forward(NDArray x, DecoderCache.Layer cache, NDArray causalMask) {
        BlipTextSelfAttention self = attention.self();
        cache.append(self.keys(x), self.values(x));
        NDArray h = attention.forward(x, cache.keys(), cache.values(), causalMask);
        h = crossattention.forward(h, cache.imageKeys(), cache.imageValues(), null);
        return outputLayerNorm.forward(output.forward(activation.apply(intermediate.forward(h))).add(h));
    }
}
