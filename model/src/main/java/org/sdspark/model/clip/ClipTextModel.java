package org.sdspark.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sdspark.model.diffusers.ComponentFolder;
import org.sdspark.model.nn.Constants;
import org.sdspark.model.nn.LayerNorm;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.nn.Weights;

/**
 * transformers' {@code CLIPTextModel}: token + position embeddings, pre-norm transformer layers
 * under a causal mask, final layer norm; and {@code CLIPTextModelWithProjection} when the config
 * says so, which adds {@code text_projection} (no bias) on the pooled state. Parameters keep their
 * checkpoint names ({@code text_model.encoder.layers.0.self_attn.q_proj.weight}, ...; files without
 * the {@code text_model.} prefix load too). Owns its weights: close it to free them.
 *
 * <p>Tokens added to the tokenizer (textual inversion) have their embeddings in a tensor of their
 * own, {@code embeddings.token_embedding.added} (n x hidden), looked up after the frozen table's rows,
 * so training can update only those rows.
 */
public final class ClipTextModel implements AutoCloseable {
    private static final String PREFIX = "text_model";

    private static final String ADDED = "token_embedding.added";

    private final ClipTextConfig config;
    private final StateDict weights;
    private final Weights embeddings;
    private final NDArray tokenEmbedding;
    private NDArray addedEmbedding;
    private final NDArray positionEmbedding;
    private final List<ClipEncoderLayer> layers;
    private final LayerNorm finalLayerNorm;
    private final Linear textProjection;

    private ClipTextModel(ClipTextConfig config, StateDict weights) {
        this.config = config;
        this.weights = weights;
        Weights w = weights.contains(PREFIX + ".embeddings.token_embedding.weight") ? weights.root().at(PREFIX) : weights.root();
        this.embeddings = w.at("embeddings");
        this.tokenEmbedding = embeddings.get("token_embedding.weight", config.vocabSize(), config.hiddenSize());
        this.addedEmbedding = embeddings.has(ADDED) ? embeddings.get(ADDED) : null;
        if (addedEmbedding != null && (addedEmbedding.getShape().dimension() != 2 || addedEmbedding.getShape().get(1) != config.hiddenSize())) {
            throw new ModelLoadException(embeddings.key(ADDED) + " has shape " + addedEmbedding.getShape()
                    + ", added token embeddings are (n, " + config.hiddenSize() + ")");
        }
        this.positionEmbedding = embeddings.get("position_embedding.weight", config.maxPositionEmbeddings(), config.hiddenSize());
        // Older checkpoints also store the position ids 0..L-1 as a buffer; positions are always that range.
        if (embeddings.has("position_ids")) {
            embeddings.get("position_ids");
        }
        List<ClipEncoderLayer> blocks = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            blocks.add(ClipEncoderLayer.load(w.at("encoder.layers", i), config));
        }
        this.layers = List.copyOf(blocks);
        this.finalLayerNorm = LayerNorm.load(w.at("final_layer_norm"), config.hiddenSize(), config.layerNormEps());
        this.textProjection = config.withProjection()
                ? Linear.loadNoBias(weights.root().at("text_projection"), config.hiddenSize(), config.projectionDim()) : null;
    }

    /**
     * Builds the model on {@code weights}, taking ownership of them, and fails with every missing,
     * misshapen or unexpected key listed when they do not fit {@code config}.
     */
    public static ClipTextModel of(ClipTextConfig config, StateDict weights) {
        ClipTextModel model = new ClipTextModel(config, weights);
        try {
            weights.verify("text_encoder");
        } catch (ModelLoadException e) {
            weights.close();
            throw e;
        }
        return model;
    }

    /** A diffusers {@code text_encoder/} folder (config.json + model.safetensors or its shards), in float32. */
    public static ClipTextModel load(NDManager manager, Path folder) throws IOException {
        return load(manager, folder, DataType.FLOAT32);
    }

    /** As {@link #load(NDManager, Path)}, with floating-point weights held in {@code type} (FLOAT32 or FLOAT16). */
    public static ClipTextModel load(NDManager manager, Path folder, DataType type) throws IOException {
        return load(manager, new ComponentFolder(folder, ComponentFolder.TRANSFORMERS_WEIGHTS), type);
    }

    /** As {@link #load(NDManager, Path, DataType)}, with the weights file the folder names (a variant, or .bin). */
    public static ClipTextModel load(NDManager manager, ComponentFolder folder, DataType type) throws IOException {
        ClipTextConfig config = ClipTextConfig.load(folder.config());
        StateDict weights = folder.loadWeights(manager);
        if (type != DataType.FLOAT32) {
            try (StateDict loaded = weights) {
                weights = loaded.toType(type);
            }
        }
        return of(config, weights);
    }

    public ClipTextConfig config() {
        return config;
    }

    /** The type the weights are held in (float32, or float16). */
    public DataType dataType() {
        return tokenEmbedding.getDataType();
    }

    /**
     * Appends embeddings (n, hidden) for tokens just added to the tokenizer, which give them the ids
     * after the ones this model knows ({@link #tokenCount()}). They are kept, in the model's type,
     * under {@link #addedEmbeddingsKey()} of {@link #weights()}.
     */
    public void addTokenEmbeddings(NDArray rows) {
        Shape shape = rows.getShape();
        if (shape.dimension() != 2 || shape.get(1) != config.hiddenSize()) {
            throw new IllegalArgumentException("token embeddings must be (n, " + config.hiddenSize() + "), got " + shape);
        }
        NDArray cast = rows.toType(tokenEmbedding.getDataType(), true);
        NDArray all = addedEmbedding == null ? cast : addedEmbedding.concat(cast, 0);
        if (all != cast) {
            cast.close();
        }
        weights.put(addedEmbeddingsKey(), all);
        addedEmbedding = all;
    }

    /** Rows of the embedding table: the vocabulary's plus the added tokens'. */
    public long tokenCount() {
        return tokenEmbedding.getShape().get(0) + (addedEmbedding == null ? 0 : addedEmbedding.getShape().get(0));
    }

    /** The weights key of the added tokens' embeddings (with this checkpoint's {@code text_model.} prefix or without). */
    public String addedEmbeddingsKey() {
        return embeddings.key(ADDED);
    }

    /** The checkpoint tensors, by their names in the file. */
    public StateDict weights() {
        return weights;
    }

    /**
     * Runs every layer on (B, L) int64 ids. The outputs belong to the ids' manager; everything
     * else the forward creates is freed before it returns.
     */
    public ClipTextOutput forward(NDArray inputIds) {
        NDManager caller = inputIds.getManager();
        try (NDManager scope = caller.newSubManager()) {
            List<NDArray> hidden = hiddenStates(scope, inputIds, layers.size());
            NDArray last = finalLayerNorm.forward(hidden.get(hidden.size() - 1));
            NDArray pooled = pool(last, inputIds.toLongArray(), inputIds.getShape().get(1));
            NDArray textEmbeds = textProjection == null ? null : textProjection.forward(pooled);
            hidden.forEach(h -> h.attach(caller));
            last.attach(caller);
            pooled.attach(caller);
            if (textEmbeds != null) {
                textEmbeds.attach(caller);
            }
            return new ClipTextOutput(last, hidden, pooled, textEmbeds);
        }
    }

    /**
     * The prompt embeddings a diffusion model is conditioned on, as diffusers' {@code clip_skip}
     * gives them: the final layer norm applied to the output of the layer {@code clipSkip} layers
     * before the last (0 = last_hidden_state, 1 = the penultimate layer). Only the layers needed run.
     */
    public NDArray encode(NDArray inputIds, int clipSkip) {
        if (clipSkip < 0 || clipSkip >= layers.size()) {
            throw new IllegalArgumentException("clip skip " + clipSkip + " is outside 0.." + (layers.size() - 1));
        }
        NDManager caller = inputIds.getManager();
        try (NDManager scope = caller.newSubManager()) {
            List<NDArray> hidden = hiddenStates(scope, inputIds, layers.size() - clipSkip);
            NDArray embeddings = finalLayerNorm.forward(hidden.get(hidden.size() - 1));
            embeddings.attach(caller);
            return embeddings;
        }
    }

    /** Embeddings then the outputs of the first {@code count} layers, all in {@code scope}. */
    private List<NDArray> hiddenStates(NDManager scope, NDArray inputIds, int count) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2 || shape.get(1) > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("text encoder input ids must be (batch, length <= "
                    + config.maxPositionEmbeddings() + "), got " + shape);
        }
        int length = (int) shape.get(1);
        // The embedding's backward reads the ids: copied into engine memory, as the caller's array
        // may sit on a Java buffer that is freed before backward runs (see Constants).
        NDArray ids = inputIds.duplicate();
        ids.attach(scope);
        ids = ids.toType(DataType.INT64, false);
        NDArray positions = scope.arange(0, length, 1, DataType.INT64);
        NDArray table = tokenEmbedding;
        if (addedEmbedding != null) {
            table = tokenEmbedding.concat(addedEmbedding, 0);
            table.attach(scope);
        }
        NDArray x = lookup(ids, table).add(lookup(positions, positionEmbedding));
        List<NDArray> hidden = new ArrayList<>(count + 1);
        hidden.add(x);
        for (ClipEncoderLayer layer : layers.subList(0, count)) {
            x = layer.forward(x);
            hidden.add(x);
        }
        return hidden;
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** Each row's state at its end token: the largest id for legacy configs (eos id 2), else the first eos id. */
    private NDArray pool(NDArray last, long[] ids, long length) {
        NDList rows = new NDList();
        for (int b = 0; b < ids.length / length; b++) {
            long[] row = Arrays.copyOfRange(ids, (int) (b * length), (int) ((b + 1) * length));
            int position = config.eosTokenId() == 2 ? firstLargest(row) : firstIndexOf(row, config.eosTokenId());
            rows.add(last.get(new NDIndex("{}, {}", b, position)));
        }
        return NDArrays.stack(rows);
    }

    private static int firstLargest(long[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    // Without an end token transformers' argmax over an all-false row gives position 0.
    private static int firstIndexOf(long[] row, long id) {
        for (int i = 0; i < row.length; i++) {
            if (row[i] == id) {
                return i;
            }
        }
        return 0;
    }

    @Override
    public void close() {
        weights.close();
    }
}
