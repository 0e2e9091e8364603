package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.sdspark.model.nn.LayerNorm;
import org.sdspark.model.nn.Weights;

/** transformers' {@code BlipVisionModel}: patch embeddings, pre-norm ViT layers, {@code post_layernorm}. */
record BlipVisionModel(BlipVisionEmbeddings embeddings, List<BlipEncoderLayer> layers, LayerNorm postLayernorm) {

    static BlipVisionModel load(Weights w, BlipVisionConfig c) {
        List<BlipEncoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(BlipEncoderLayer.load(w.at("encoder.layers", i), c));
        }
        return new BlipVisionModel(BlipVisionEmbeddings.load(w.at("embeddings"), c), List.copyOf(layers),
                LayerNorm.load(w.at("post_layernorm"), c.hiddenSize(), c.layerNormEps()));
    }

    /** The embeddings, then each layer's output; the last is not yet post-normed. */
    List<NDArray> hiddenStates(NDArray pixels) {
        List<NDArray> states = new ArrayList<>();
        NDArray x = embeddings.forward(pixels);
        states.add(x);
        for (BlipEncoderLayer layer : layers) {
            x = layer.forward(x);
            states.add(x);
        }
        return states;
    }

    /** {@code last_hidden_state}: what the text decoder's cross-attention reads, (B, 1 + patches, D). */
    NDArray forward(NDArray pixels) {
        List<NDArray> states = hiddenStates(pixels);
        return postLayernorm.forward(states.get(states.size() - 1));
    }
}
