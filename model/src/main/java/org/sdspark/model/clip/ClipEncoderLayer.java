package org.sdspark.model.clip;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.LayerNorm;
import org.sdspark.model.nn.Mlp;
import org.sdspark.model.nn.Weights;

/** One pre-norm transformer block: x + attn(ln1(x)), then + mlp(ln2(x)). */
record ClipEncoderLayer(LayerNorm layerNorm1, ClipAttention selfAttention, LayerNorm layerNorm2, Mlp mlp) {

    static ClipEncoderLayer load(Weights w, ClipTextConfig c) {
        return new ClipEncoderLayer(
                LayerNorm.load(w.at("layer_norm1"), c.hiddenSize(), c.layerNormEps()),
                ClipAttention.load(w.at("self_attn"), c),
                LayerNorm.load(w.at("layer_norm2"), c.hiddenSize(), c.layerNormEps()),
                Mlp.load(w.at("mlp"), c.hiddenSize(), c.intermediateSize(), c.hiddenAct()));
    }

    NDArray forward(NDArray x) {
        NDArray h = x.add(selfAttention.forward(layerNorm1.forward(x)));
        return h.add(mlp.forward(layerNorm2.forward(h)));
    }
}
