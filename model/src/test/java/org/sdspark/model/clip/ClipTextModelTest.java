package org.sdspark.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.diffusers.ConfigException;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;

/** Behaviour of a small random CLIP text model that the parity fixtures do not pin down. */
class ClipTextModelTest {
    private static final int VOCAB = 10;
    private static final int HIDDEN = 8;

    private static ClipTextConfig config(int eosTokenId) {
        return new ClipTextConfig(VOCAB, HIDDEN, 12, 2, 2, 6, "gelu", 1e-5f, 8, eosTokenId, 0);
    }

    private static Map<String, NDArray> randomWeights(NDManager m, String prefix) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put(prefix + "embeddings.token_embedding.weight", m.randomNormal(new Shape(VOCAB, HIDDEN)));
        t.put(prefix + "embeddings.position_embedding.weight", m.randomNormal(new Shape(6, HIDDEN)));
        for (int i = 0; i < 2; i++) {
            String layer = prefix + "encoder.layers." + i + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                t.put(layer + "self_attn." + proj + ".weight", m.randomNormal(new Shape(HIDDEN, HIDDEN)).div(3));
                t.put(layer + "self_attn." + proj + ".bias", m.randomNormal(new Shape(HIDDEN)).div(10));
            }
            for (String norm : new String[] {"layer_norm1", "layer_norm2"}) {
                t.put(layer + norm + ".weight", m.ones(new Shape(HIDDEN)));
                t.put(layer + norm + ".bias", m.zeros(new Shape(HIDDEN)));
            }
            t.put(layer + "mlp.fc1.weight", m.randomNormal(new Shape(12, HIDDEN)).div(3));
            t.put(layer + "mlp.fc1.bias", m.zeros(new Shape(12)));
            t.put(layer + "mlp.fc2.weight", m.randomNormal(new Shape(HIDDEN, 12)).div(3));
            t.put(layer + "mlp.fc2.bias", m.zeros(new Shape(HIDDEN)));
        }
        t.put(prefix + "final_layer_norm.weight", m.ones(new Shape(HIDDEN)));
        t.put(prefix + "final_layer_norm.bias", m.zeros(new Shape(HIDDEN)));
        return t;
    }

    private static ClipTextModel model(NDManager m, int eosTokenId, String prefix) {
        return ClipTextModel.of(config(eosTokenId), StateDict.of(m, "random", randomWeights(m, prefix)));
    }

    @Test
    void aTokenSeesOnlyItselfAndEarlierTokens() {
        try (NDManager m = NDManager.newBaseManager(); ClipTextModel model = model(m, 9, "text_model.")) {
            NDArray a = model.forward(m.create(new long[] {8, 3, 4, 5, 9, 0}, new Shape(1, 6))).lastHiddenState();
            NDArray b = model.forward(m.create(new long[] {8, 3, 4, 7, 9, 0}, new Shape(1, 6))).lastHiddenState();
            NDArray diff = a.sub(b).abs().get(0).max(new int[] {1});
            assertThat(diff.get("0:3").max().getFloat()).isZero();
            assertThat(diff.get("3:").min().getFloat()).isGreaterThan(0f);
        }
    }

    @Test
    void poolsAtTheFirstEndTokenOrForLegacyConfigsAtTheLargestId() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = m.create(new long[] {8, 3, 9, 9, 9, 9, 8, 5, 4, 2, 2, 0}, new Shape(2, 6));
            try (ClipTextModel model = model(m, 9, "")) {
                ClipTextOutput out = model.forward(ids);
                assertThat(out.pooledOutput().get(0)).isEqualTo(out.lastHiddenState().get(new NDIndex("0, 2")));
                // no end token in row 1: position 0, as transformers' argmax over an all-false row
                assertThat(out.pooledOutput().get(1)).isEqualTo(out.lastHiddenState().get(new NDIndex("1, 0")));
            }
            try (ClipTextModel legacy = model(m, 2, "")) {
                ClipTextOutput out = legacy.forward(ids);
                assertThat(out.pooledOutput().get(0)).isEqualTo(out.lastHiddenState().get(new NDIndex("0, 2")));
                assertThat(out.pooledOutput().get(1)).isEqualTo(out.lastHiddenState().get(new NDIndex("1, 0")));
                assertThat(out.pooledOutput().getShape()).isEqualTo(new Shape(2, HIDDEN));
            }
        }
    }

    @Test
    void addedTokenRowsFollowTheTableWhetherInTheWeightsOrAddedLater() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = randomWeights(m, "text_model.");
            NDArray rows = m.randomNormal(new Shape(2, HIDDEN));
            Map<String, NDArray> withRows = new LinkedHashMap<>();
            weights.forEach((k, v) -> withRows.put(k, v.duplicate()));
            withRows.put("text_model.embeddings.token_embedding.added", rows.duplicate());
            NDArray ids = m.create(new long[] {8, VOCAB + 1, 3, VOCAB, 9, 9}, new Shape(1, 6));
            try (ClipTextModel trained = ClipTextModel.of(config(9), StateDict.of(m, "with rows", withRows));
                 ClipTextModel loaded = ClipTextModel.of(config(9), StateDict.of(m, "random", weights))) {
                loaded.addTokenEmbeddings(rows.get("0:1"));
                loaded.addTokenEmbeddings(rows.get("1:2"));
                assertThat(loaded.tokenCount()).isEqualTo(VOCAB + 2);
                assertThat(loaded.addedEmbeddingsKey()).isEqualTo("text_model.embeddings.token_embedding.added");
                assertThat(loaded.weights().tensors().get(loaded.addedEmbeddingsKey()).contentEquals(rows)).isTrue();
                NDArray expected = trained.forward(ids).lastHiddenState();
                assertThat(loaded.forward(ids).lastHiddenState().contentEquals(expected)).isTrue();
                // the added rows are looked up: an added token's state differs from any table token's
                assertThat(expected.get("0, 1").contentEquals(expected.get("0, 3"))).isFalse();
            }
        }
    }

    @Test
    void addedRowsMustHaveTheHiddenSize() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = randomWeights(m, "");
            weights.put("embeddings.token_embedding.added", m.zeros(new Shape(2, HIDDEN + 1)));
            assertThatThrownBy(() -> ClipTextModel.of(config(9), StateDict.of(m, "bad", weights)))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("embeddings.token_embedding.added has shape (2, 9)");
            try (ClipTextModel model = model(m, 9, "")) {
                assertThatThrownBy(() -> model.addTokenEmbeddings(m.zeros(new Shape(HIDDEN))))
                        .hasMessageContaining("token embeddings must be (n, 8)");
            }
        }
    }

    @Test
    void forwardLeavesOnlyItsOutputsBehind() {
        try (NDManager m = NDManager.newBaseManager(); ClipTextModel model = model(m, 9, "")) {
            NDArray ids = m.create(new long[] {8, 3, 9, 0}, new Shape(1, 4));
            BaseNDManager caller = (BaseNDManager) m;
            int before = caller.getManagedArrays().size();
            int weights = ((BaseNDManager) model.weights().manager()).getManagedArrays().size();
            model.encode(ids, 1);
            assertThat(caller.getManagedArrays().size()).isEqualTo(before + 1);
            ClipTextOutput out = model.forward(ids);
            assertThat(caller.getManagedArrays().size()).isEqualTo(before + 1 + 2 + out.hiddenStates().size());
            assertThat(((BaseNDManager) model.weights().manager()).getManagedArrays()).hasSize(weights);
        }
    }

    @Test
    void listsEveryMissingMisshapenAndUnexpectedKey() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = randomWeights(m, "text_model.");
            weights.remove("text_model.encoder.layers.1.mlp.fc2.bias");
            weights.put("text_model.final_layer_norm.weight", m.ones(new Shape(HIDDEN + 1)));
            weights.put("text_model.text_projection.weight", m.ones(new Shape(HIDDEN, HIDDEN)));
            StateDict dict = StateDict.of(m, "broken.safetensors", weights);
            assertThatThrownBy(() -> ClipTextModel.of(config(9), dict))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("text_encoder")
                    .hasMessageContaining("broken.safetensors")
                    .hasMessageContaining("missing text_model.encoder.layers.1.mlp.fc2.bias (8)")
                    .hasMessageContaining("text_model.final_layer_norm.weight has shape (9)")
                    .hasMessageContaining("unexpected text_model.text_projection.weight");
        }
    }

    @Test
    void rejectsMoreTokensThanPositionsAndAnImpossibleClipSkip() {
        try (NDManager m = NDManager.newBaseManager(); ClipTextModel model = model(m, 9, "")) {
            assertThatThrownBy(() -> model.forward(m.zeros(new Shape(1, 7), DataType.INT64)))
                    .hasMessageContaining("length <= 6");
            assertThatThrownBy(() -> model.encode(m.zeros(new Shape(1, 6), DataType.INT64), 2))
                    .hasMessageContaining("clip skip 2");
        }
    }

    @Test
    void readsTransformersConfigWithDefaultsAndNamesTheBadKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"hidden_size\": 1024, \"num_attention_heads\": 16, \"num_hidden_layers\": 23,"
                + " \"intermediate_size\": 4096, \"hidden_act\": \"gelu\", \"eos_token_id\": 2}");
        ClipTextConfig c = ClipTextConfig.load(file);
        assertThat(c).isEqualTo(new ClipTextConfig(49408, 1024, 4096, 23, 16, 77, "gelu", 1e-5f, 49406, 2, 1));
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(ClipTextConfig.fromJson(new ObjectMapper().readTree("{\"text_config\": {\"hidden_size\": 768, \"num_attention_heads\": 12}}")).hiddenSize())
                .isEqualTo(768);
        Files.writeString(file, "{\"num_hidden_layers\": \"twelve\"}");
        assertThatThrownBy(() -> ClipTextConfig.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": 'num_hidden_layers' must be an integer, not \"twelve\"");
        Files.writeString(file, "{\"hidden_act\": \"relu\"}");
        assertThatThrownBy(() -> ClipTextConfig.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'hidden_act'").hasMessageContaining("relu");
    }

    @Test
    void loadsShardedWeightsThroughTheIndexAndNamesAFolderWithout(@TempDir Path dir) throws IOException {
        Path source = Fixtures.path("tiny-sd/text_encoder");
        Files.copy(source.resolve("config.json"), dir.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> ClipTextModel.load(m, dir))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(dir + ": no weights model.safetensors or pytorch_model.bin (nor a sharded index of them)");
        }
        Files.copy(source.resolve("model.safetensors"), dir.resolve("model-00001-of-00001.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\": {}, \"weight_map\": {\"text_model.final_layer_norm.weight\": \"model-00001-of-00001.safetensors\"}}");
        try (NDManager m = NDManager.newBaseManager(); ClipTextModel model = ClipTextModel.load(m, dir)) {
            assertThat(model.weights().tensors()).hasSize(2 + 3 * 16 + 2);
        }
    }
}
