package org.sdspark.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/**
 * SDXL's two text encoders against transformers 5.17: CLIPTextModel (quick_gelu, tokenizer padding
 * with the end token) and CLIPTextModelWithProjection (gelu, tokenizer_2 padding with "!"), every
 * hidden state, the pooled state and the projected text embeddings.
 */
class ClipTextModelXlParityTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "text_encoder,   tokenizer,   io/text_encoder_sdxl.safetensors,   false",
        "text_encoder_2, tokenizer_2, io/text_encoder_2_sdxl.safetensors, true",
    })
    void matchesTransformers(String encoder, String tokenizer, String io, boolean projection) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             StateDict expected = StateDict.load(m, Fixtures.path(io));
             ClipTextModel model = ClipTextModel.load(m, Fixtures.path("tiny-sdxl/" + encoder))) {
            ClipTokenizer tok = ClipTokenizer.load(Fixtures.path("tiny-sdxl/" + tokenizer));
            NDArray ids = expected.tensors().get("input_ids");
            long[] ours = Stream.of("a photo of sks dog", "a painting of a castle on a hill, 8k!!!")
                    .flatMapToLong(p -> Arrays.stream(tok.encode(p).longIds())).toArray();
            assertThat(ours).as(tokenizer + " ids").containsExactly(ids.toLongArray());
            assertThat(model.config().withProjection()).isEqualTo(projection);

            ClipTextOutput out = model.forward(ids);
            String name = "sdxl " + encoder;
            Parity.assertClose(name + " last_hidden_state", out.lastHiddenState(), expected.tensors().get("last_hidden_state"));
            for (int i = 0; i < out.hiddenStates().size(); i++) {
                Parity.assertClose(name + " hidden_states." + i, out.hiddenStates().get(i),
                        expected.tensors().get("hidden_states." + i));
            }
            assertThat(out.hiddenStates()).hasSize(expected.tensors().keySet().stream()
                    .filter(k -> k.startsWith("hidden_states.")).toList().size());
            Parity.assertClose(name + " pooler_output", out.pooledOutput(), expected.tensors().get("pooler_output"));
            if (projection) {
                Parity.assertClose(name + " text_embeds", out.textEmbeds(), expected.tensors().get("text_embeds"));
            } else {
                assertThat(out.textEmbeds()).isNull();
            }
        }
    }
}
