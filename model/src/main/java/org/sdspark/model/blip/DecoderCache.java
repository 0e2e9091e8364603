package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder's keys and values while generating: per layer, the text's self-attention keys and
 * values so far, and the image's cross-attention keys and values (computed once). Everything lives
 * in the cache's own manager; a replaced array is closed at once, so memory does not grow with
 * steps.
 */
final class DecoderCache implements AutoCloseable {
    private final NDManager manager;
    private final List<Layer> layers = new ArrayList<>();

    DecoderCache(NDManager parent, List<BlipTextLayer> textLayers, NDArray imageEmbeds) {
        this.manager = parent.newSubManager();
        try (NDManager scope = manager.newSubManager()) {
            NDArray embeds = imageEmbeds.duplicate();
            embeds.attach(scope);
            for (BlipTextLayer layer : textLayers) {
                BlipTextSelfAttention cross = layer.crossattention().self();
                layers.add(new Layer(keep(cross.keys(embeds)), keep(cross.values(embeds))));
            }
        }
    }

    Layer layer(int i) {
        return layers.get(i);
    }

    /**
     * Row i of the text cache becomes the former row {@code rows[i]} (beam search following its
     * beams). Beams only move among the rows of their own image, so the image keys stay.
     */
    void reorder(long[] rows) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray index = scope.create(rows);
            for (Layer layer : layers) {
                layer.keys = replace(layer.keys, layer.keys.get(new NDIndex("{}", index)));
                layer.values = replace(layer.values, layer.values.get(new NDIndex("{}", index)));
            }
        }
    }

    private NDArray keep(NDArray array) {
        array.attach(manager);
        return array;
    }

    private NDArray replace(NDArray old, NDArray replacement) {
        keep(replacement);
        if (old != null) {
            old.close();
        }
        return replacement;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** One layer's arrays, each (rows, heads, tokens, head dim). */
    final class Layer {
        private final NDArray imageKeys;
        private final NDArray imageValues;
        private NDArray keys;
        private NDArray values;

        private Layer(NDArray imageKeys, NDArray imageValues) {
            this.imageKeys = imageKeys;
            this.imageValues = imageValues;
        }

        void append(NDArray newKeys, NDArray newValues) {
            keys = replace(keys, keys == null ? newKeys.duplicate() : NDArrays.concat(new NDList(keys, newKeys), 2));
            values = replace(values, values == null ? newValues.duplicate() : NDArrays.concat(new NDList(values, newValues), 2));
        }

        NDArray keys() {
            return keys;
        }

        NDArray values() {
            return values;
        }

        NDArray imageKeys() {
            return imageKeys;
        }

        NDArray imageValues() {
            return imageValues;
        }
    }
}
