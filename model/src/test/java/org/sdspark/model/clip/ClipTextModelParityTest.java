package org.sdspark.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sdspark.model.nn.LayerNorm;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/** The tiny SD1 (quick_gelu, legacy eos id) and SD2 (gelu, real eos id) text encoders against transformers 5.17. */
class ClipTextModelParityTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "tiny-sd/text_encoder, io/text_encoder.safetensors, tiny-sd/tokenizer, <|endoftext|>",
        "sd2/text_encoder,     io/text_encoder_sd2.safetensors, tiny-sd/tokenizer, !",
    })
    void matchesTransformers(String encoder, String io, String tokenizerFolder, String pad) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             StateDict expected = StateDict.load(manager, Fixtures.path(io));
             ClipTextModel model = ClipTextModel.load(manager, Fixtures.path(encoder))) {
            NDArray ids = expected.tensors().get("input_ids");
            assertThat(ids.toLongArray()).as("tokenizer ids of the fixture prompts").containsExactly(promptIds(tokenizerFolder, pad));

            ClipTextOutput out = model.forward(ids);
            String name = Path.of(encoder).getParent().toString();
            Parity.assertClose(name + " last_hidden_state", out.lastHiddenState(), expected.tensors().get("last_hidden_state"));
            assertThat(out.hiddenStates()).hasSize(model.config().numHiddenLayers() + 1);
            for (int i = 0; i < out.hiddenStates().size(); i++) {
                Parity.assertClose(name + " hidden_states." + i, out.hiddenStates().get(i), expected.tensors().get("hidden_states." + i));
            }
            Parity.assertClose(name + " pooler_output", out.pooledOutput(), expected.tensors().get("pooler_output"));

            Parity.assertClose(name + " encode(clip skip 0)", model.encode(ids, 0), expected.tensors().get("last_hidden_state"));
            LayerNorm finalNorm = LayerNorm.load(model.weights().root().at(finalNormPath(model)), 32, 1e-5f);
            NDArray penultimate = finalNorm.forward(expected.tensors().get("hidden_states.2"));
            Parity.assertClose(name + " encode(clip skip 1)", model.encode(ids, 1), penultimate);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"tiny-sd/text_encoder, io/text_encoder.safetensors", "sd2/text_encoder, io/text_encoder_sd2.safetensors"})
    void halfPrecisionStaysCloseToTheReference(String encoder, String io) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             StateDict expected = StateDict.load(manager, Fixtures.path(io));
             ClipTextModel model = ClipTextModel.load(manager, Fixtures.path(encoder), DataType.FLOAT16)) {
            NDArray out = model.encode(expected.tensors().get("input_ids"), 0);
            assertThat(out.getDataType()).isEqualTo(DataType.FLOAT16);
            double err = Parity.relativeError(out, expected.tensors().get("last_hidden_state"));
            System.out.printf("parity %-40s rel.err %.3e%n", encoder + " fp16 last_hidden_state", err);
            assertThat(err).isLessThan(5e-3);
        }
    }

    private static String finalNormPath(ClipTextModel model) {
        return model.weights().contains("text_model.final_layer_norm.weight") ? "text_model.final_layer_norm" : "final_layer_norm";
    }

    private static long[] promptIds(String tokenizerFolder, String pad) throws IOException {
        ClipTokenizer loaded = ClipTokenizer.load(Fixtures.path(tokenizerFolder));
        ClipTokenizer tokenizer = pad.equals(loaded.padToken()) ? loaded : withPad(tokenizerFolder, pad);
        return Stream.of("a photo of sks dog", "a painting of a castle on a hill, 8k!!!")
                .flatMapToLong(p -> Arrays.stream(tokenizer.encode(p).longIds()))
                .toArray();
    }

    private static ClipTokenizer withPad(String folder, String pad) throws IOException {
        Path dir = Fixtures.path(folder);
        try (InputStream vocab = Files.newInputStream(dir.resolve("vocab.json"));
             InputStream merges = Files.newInputStream(dir.resolve("merges.txt"))) {
            return ClipTokenizer.read(vocab, merges, pad, ClipTokenizer.DEFAULT_MAX_LENGTH, dir.toString());
        }
    }
}
