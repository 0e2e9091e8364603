package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sdspark.model.diffusers.ComponentFolder;
import org.sdspark.model.generation.BeamSearch;
import org.sdspark.model.generation.GenerationSettings;
import org.sdspark.model.generation.GreedySearch;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.nn.Weights;

/**
 * transformers' {@code BlipForConditionalGeneration}: a ViT encodes the image ({@code vision_model}),
 * a BERT decoder with cross-attention to it writes the caption ({@code text_decoder}: {@code bert}
 * and the LM head {@code cls}). Parameters keep their checkpoint names. Owns its weights: close it
 * to free them.
 */
public final class BlipForConditionalGeneration implements AutoCloseable {
    private final BlipConfig config;
    private final StateDict weights;
    private final BlipVisionModel visionModel;
    private final BlipTextEmbeddings embeddings;
    private final List<BlipTextLayer> layers;
    private final BlipTextLMHead head;

    private BlipForConditionalGeneration(BlipConfig config, StateDict weights) {
        this.config = config;
        this.weights = weights;
        Weights w = weights.root();
        BlipTextConfig text = config.text();
        this.visionModel = BlipVisionModel.load(w.at("vision_model"), config.vision());
        Weights bert = w.at("text_decoder.bert");
        this.embeddings = BlipTextEmbeddings.load(bert.at("embeddings"), text);
        List<BlipTextLayer> blocks = new ArrayList<>();
        for (int i = 0; i < text.numHiddenLayers(); i++) {
            blocks.add(BlipTextLayer.load(bert.at("encoder.layer", i), text));
        }
        this.layers = List.copyOf(blocks);
        this.head = BlipTextLMHead.load(w.at("text_decoder.cls"), text, embeddings.wordEmbeddings());
    }

    /** Builds the model on {@code weights} (taking ownership) and fails listing every key that does not fit. */
    public static BlipForConditionalGeneration of(BlipConfig config, StateDict weights) {
        BlipForConditionalGeneration model = new BlipForConditionalGeneration(config, weights);
        try {
            weights.verify("BLIP");
        } catch (ModelLoadException e) {
            weights.close();
            throw e;
        }
        return model;
    }

    /** A transformers model folder (config.json + model.safetensors), weights held in {@code type} (FLOAT32 or FLOAT16). */
    public static BlipForConditionalGeneration load(NDManager manager, Path folder, DataType type) throws IOException {
        return new ComponentFolder(folder, ComponentFolder.TRANSFORMERS_WEIGHTS).load(manager, BlipConfig::read,
                (config, loaded) -> {
                    if (type == DataType.FLOAT32) {
                        return of(config, loaded);
                    }
                    try (StateDict wide = loaded) {
                        return of(config, wide.toType(type));
                    }
                });
    }

    public BlipConfig config() {
        return config;
    }

    public StateDict weights() {
        return weights;
    }

    /** The weights' type: pixels and every activation run in it. */
    public DataType dataType() {
        return embeddings.wordEmbeddings().getDataType();
    }

    /** (B, 3, H, W) pixel values to the image embeddings, in the pixels' manager. */
    public NDArray imageEmbeds(NDArray pixels) {
        NDManager caller = pixels.getManager();
        try (NDManager scope = caller.newSubManager()) {
            NDArray embeds = visionModel.forward(inScope(pixels, scope).toType(dataType(), false));
            embeds.attach(caller);
            return embeds;
        }
    }

    /** The vision embeddings and every ViT layer's output (before the final norm), in the pixels' manager. */
    List<NDArray> visionHiddenStates(NDArray pixels) {
        NDManager caller = pixels.getManager();
        try (NDManager scope = caller.newSubManager()) {
            List<NDArray> states = visionModel.hiddenStates(inScope(pixels, scope).toType(dataType(), false));
            states.forEach(s -> s.attach(caller));
            return states;
        }
    }

    /**
     * The decoder's logits (B, L, vocab) for whole sequences, as transformers' {@code text_decoder}
     * forward computes them without a cache: positions 0..L-1, causal attention to the tokens the
     * 0/1 {@code attentionMask} keeps.
     */
    public NDArray decoderLogits(NDArray ids, int[][] attentionMask, NDArray imageEmbeds) {
        NDManager caller = ids.getManager();
        try (NDManager scope = caller.newSubManager(); DecoderCache cache = new DecoderCache(scope, layers, imageEmbeds)) {
            int batch = (int) ids.getShape().get(0);
            int length = (int) ids.getShape().get(1);
            long[] positions = new long[batch * length];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i % length;
            }
            NDArray mask = scope.create(DecoderInputs.causalMask(attentionMask, length, length), new Shape(batch, 1, length, length));
            NDArray logits = decode(inScope(ids, scope), scope.create(positions, new Shape(batch, length)), mask, cache, false);
            NDArray result = logits.toType(DataType.FLOAT32, false);
            result.attach(caller);
            return result;
        }
    }

    /** Runs the new tokens through the decoder, extending the cache; logits of every or only the last position. */
    NDArray decode(NDArray ids, NDArray positions, NDArray mask, DecoderCache cache, boolean lastOnly) {
        NDArray x = embeddings.forward(ids, positions);
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x, cache.layer(i), mask);
        }
        if (lastOnly) {
            x = x.get(new NDIndex(":, -1:, :"));
        }
        return head.forward(x);
    }

    /**
     * Token ids of captions for (B, 3, H, W) pixel values, exactly as transformers'
     * {@code BlipForConditionalGeneration.generate}: the prompt's first token ({@code [CLS]}) becomes
     * {@code [DEC]} and its last ({@code [SEP]}, or padding) is dropped; without prompts every
     * caption starts from {@code [DEC]} alone. Generation ends at {@code [SEP]}.
     *
     * @param promptIds tokenized prompts with special tokens, one per image, right-padded; or null
     * @param promptMask their attention masks (1 = token, 0 = padding); or null
     */
    public long[][] generate(NDArray pixels, long[][] promptIds, int[][] promptMask, GenerationSettings settings) {
        BlipTextConfig text = config.text();
        int batch = (int) pixels.getShape().get(0);
        long[][] ids = new long[batch][];
        int[][] mask = new int[batch][];
        for (int b = 0; b < batch; b++) {
            if (promptIds == null) {
                ids[b] = new long[] {text.bosTokenId()};
                mask[b] = new int[] {1};
            } else {
                ids[b] = Arrays.copyOf(promptIds[b], promptIds[b].length - 1);
                ids[b][0] = text.bosTokenId();
                mask[b] = Arrays.copyOf(promptMask[b], promptMask[b].length - 1);
            }
        }
        try (NDManager scope = pixels.getManager().newSubManager()) {
            NDArray embeds = imageEmbeds(inScope(pixels, scope));
            int beams = settings.numBeams();
            if (beams > 1) {
                long[] rows = new long[batch * beams];
                for (int r = 0; r < rows.length; r++) {
                    rows[r] = r / beams;
                }
                embeds = embeds.get(new NDIndex("{}", scope.create(rows)));
            }
            try (BlipDecoding decoding = new BlipDecoding(this, embeds, beams > 1)) {
                return beams > 1
                        ? BeamSearch.generate(decoding, ids, mask, settings, text.sepTokenId(), text.padTokenId())
                        : GreedySearch.generate(decoding, ids, mask, settings, text.sepTokenId(), text.padTokenId());
            }
        }
    }

    List<BlipTextLayer> layers() {
        return layers;
    }

    // A copy in the scope, so everything computed from it is freed with the scope.
    private static NDArray inScope(NDArray array, NDManager scope) {
        NDArray copy = array.duplicate();
        copy.attach(scope);
        return copy;
    }

    @Override
    public void close() {
        weights.close();
    }
}
