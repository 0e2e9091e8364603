package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.LayerNorm;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Weights;

/** BERT's attention sub-layer, post-norm: LayerNorm(x + dense(attention(x))) ({@code self}, {@code output}). */
record BlipTextAttention(BlipTextSelfAttention self, Linear dense, LayerNorm layerNorm) {

    static BlipTextAttention load(Weights w, BlipTextConfig c, long keyValueWidth) {
        return new BlipTextAttention(BlipTextSelfAttention.load(w.at("self"), c, keyValueWidth),
                Linear.load(w.at("output.dense"), c.hiddenSize(), c.hiddenSize()),
                LayerNorm.load(w.at("output.LayerNorm"), c.hiddenSize(), c.layerNormEps()));
    }

    NDArray forward(NDArray x, NDArray keys, NDArray values, NDArray mask) {
        return layerNorm.forward(dense.forward(self.attend(x, keys, values, mask)).add(x));
    }
}
