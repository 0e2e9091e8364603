package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sdspark.model.clip.ClipTokens;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/**
 * A diffusers multi-vector embedding ({@code <cat-toy>}, 2 vectors) and an A1111 one ({@code emb_params},
 * 3 vectors, token from the file name) loaded into the tiny pipeline, against diffusers'
 * {@code load_textual_inversion}: ids of prompts using them (diffusers expands multi-vector tokens)
 * and the text encoder's output (embeddings/reference.safetensors, cases.json). diffusers expands a
 * token only where the prompt has it written exactly, so "<CAT-TOY>" brings one vector: so does sdspark.
 */
class TextualInversionParityTest {

    @Test
    void embeddingsOfBothLayoutsMatchDiffusers() throws IOException {
        assertParity("", "learned_embeds.safetensors", List.of("<cat-toy>", "<cat-toy>_1"),
                "sdsk-style.safetensors", List.of("sdsk-style", "sdsk-style_1", "sdsk-style_2"));
    }

    /** The other direction: embeddings sdspark's writers made (SdsparkWrittenAdapters), loaded there by diffusers. */
    @Test
    void embeddingsSdsparkWroteLoadInDiffusersAlike() throws IOException {
        assertParity("sdspark_", "sdspark-learned_embeds.safetensors", List.of("<sdspark-tok>", "<sdspark-tok>_1"),
                "sdspark-style.safetensors", List.of("sdspark-style", "sdspark-style_1", "sdspark-style_2"));
    }

    private static void assertParity(String prefix, String diffusersFile, List<String> diffusersTokens, String a1111File,
                                     List<String> a1111Tokens) throws IOException {
        JsonNode cases = new ObjectMapper().readTree(Fixtures.path("embeddings/" + prefix + "cases.json").toFile()).get("cases");
        try (NDManager manager = NDManager.newBaseManager();
             StateDict expected = StateDict.load(manager, Fixtures.path("embeddings/" + prefix + "reference.safetensors"));
             StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(manager, Fixtures.path("tiny-sd"))) {
            assertThat(pipeline.loadTextualInversion(Fixtures.path("embeddings/" + diffusersFile), Optional.empty()))
                    .isEqualTo(diffusersTokens);
            assertThat(pipeline.loadTextualInversion(Fixtures.path("embeddings/" + a1111File), Optional.empty()))
                    .isEqualTo(a1111Tokens);
            for (int i = 0; i < cases.size(); i++) {
                String prompt = cases.get(i).get("prompt").asText();
                ClipTokens tokens = pipeline.configs().tokenizer().encode(prompt);
                NDArray ids = expected.tensors().get("case." + i + ".input_ids");
                assertThat(tokens.longIds()).as(prompt).containsExactly(ids.toLongArray());
                NDArray hidden = pipeline.textEncoder().forward(manager.create(tokens.longIds(), new Shape(1, tokens.ids().length)))
                        .lastHiddenState();
                Parity.assertClose("TI '" + prompt + "'", hidden, expected.tensors().get("case." + i + ".last_hidden_state"));
            }
        }
    }
}
