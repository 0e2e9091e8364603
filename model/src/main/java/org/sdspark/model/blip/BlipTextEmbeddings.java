package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import org.sdspark.model.nn.LayerNorm;
import org.sdspark.model.nn.Weights;

/** Word plus absolute position embeddings, then LayerNorm (BERT without token types). */
record BlipTextEmbeddings(NDArray wordEmbeddings, NDArray positionEmbeddings, LayerNorm layerNorm) {

    static BlipTextEmbeddings load(Weights w, BlipTextConfig c) {
        return new BlipTextEmbeddings(
                w.get("word_embeddings.weight", c.vocabSize(), c.hiddenSize()),
                w.get("position_embeddings.weight", c.maxPositionEmbeddings(), c.hiddenSize()),
                LayerNorm.load(w.at("LayerNorm"), c.hiddenSize(), c.layerNormEps()));
    }

    /** (B, L) token ids and their (B, L) positions, both int64, to (B, L, D). */
    NDArray forward(NDArray ids, NDArray positions) {
        return layerNorm.forward(lookup(ids, wordEmbeddings).add(lookup(positions, positionEmbeddings)));
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }
}
