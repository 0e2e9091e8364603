package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.LayerNorm;
import org.sdspark.model.nn.Mlp;
import org.sdspark.model.nn.Weights;

/** One pre-norm ViT block: x + attn(ln1(x)), then + mlp(ln2(x)). */
record BlipEncoderLayer(LayerNorm layerNorm1, BlipAttention selfAttn, LayerNorm layerNorm2, Mlp mlp) {

    static BlipEncoderLayer load(Weights w, BlipVisionConfig c) {
        return new BlipEncoderLayer(
                LayerNorm.load(w.at("layer_norm1"), c.hiddenSize(), c.layerNormEps()),
                BlipAttention.load(w.at("self_attn"), c),
                LayerNorm.load(w.at("layer_norm2"), c.hiddenSize(), c.layerNormEps()),
                Mlp.load(w.at("mlp"), c.hiddenSize(), c.intermediateSize(), c.hiddenAct()));
    }

    NDArray forward(NDArray x) {
        NDArray h = selfAttn.forward(layerNorm1.forward(x)).add(x);
        return mlp.forward(layerNorm2.forward(h)).add(h);
    }
}
