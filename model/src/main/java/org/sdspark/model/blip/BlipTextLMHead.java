package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;
import org.sdspark.model.nn.Activations;
import org.sdspark.model.nn.LayerNorm;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Weights;

/**
 * {@code cls.predictions}: dense, activation, LayerNorm, then the vocabulary projection. transformers
 * ties the projection to the word embeddings and its bias to {@code cls.predictions.bias}; a
 * checkpoint that stores {@code decoder.weight}/{@code decoder.bias} explicitly is read as stored.
 */
record BlipTextLMHead(Linear transform, UnaryOperator<NDArray> activation, LayerNorm layerNorm, Linear decoder) {

    static BlipTextLMHead load(Weights w, BlipTextConfig c, NDArray wordEmbeddings) {
        long d = c.hiddenSize();
        long v = c.vocabSize();
        Weights predictions = w.at("predictions");
        NDArray bias = predictions.get("bias", v);
        Weights decoder = predictions.at("decoder");
        NDArray weight = decoder.has("weight") || !c.tieWordEmbeddings() ? decoder.get("weight", v, d) : wordEmbeddings;
        if (decoder.has("bias")) {
            bias = decoder.get("bias", v);
        }
        return new BlipTextLMHead(Linear.load(predictions.at("transform.dense"), d, d), Activations.byName(c.hiddenAct()),
                LayerNorm.load(predictions.at("transform.LayerNorm"), d, c.layerNormEps()), new Linear(weight, bias));
    }

    NDArray forward(NDArray x) {
        return decoder.forward(layerNorm.forward(activation.apply(transform.forward(x))));
    }
}
