package org.sdspark.model.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.ModelLoadException;

/** Which tensor of an embedding file holds the vectors, and for which token (pure). */
class EmbeddingLayoutTest {

    @Test
    void diffusersFilesNameTheirTokenA1111FilesTakeTheFileName() {
        assertThat(EmbeddingLayout.plan("f", Map.of("<cat-toy>", new long[] {2, 768}), "learned_embeds", Optional.empty()))
                .isEqualTo(new EmbeddingLayout.Plan(EmbeddingLayout.DIFFUSERS, "<cat-toy>", "<cat-toy>"));
        assertThat(EmbeddingLayout.plan("f", Map.of("emb_params", new long[] {3, 768}), "bad-hands", Optional.empty()))
                .isEqualTo(new EmbeddingLayout.Plan(EmbeddingLayout.A1111, "emb_params", "bad-hands"));
        assertThat(EmbeddingLayout.plan("f", Map.of("<cat-toy>", new long[] {768}), "x", Optional.of("<mine>")).token())
                .isEqualTo("<mine>");
    }

    @Test
    void otherFilesAreRefusedSayingWhatTheyAre() {
        assertThatThrownBy(() -> EmbeddingLayout.plan("xl.safetensors", Map.of("clip_l", new long[] {2, 768}, "clip_g", new long[] {2, 1280}),
                "xl", Optional.empty())).isInstanceOf(ModelLoadException.class).hasMessageContaining("xl.safetensors is an SDXL embedding");
        assertThatThrownBy(() -> EmbeddingLayout.plan("lora.safetensors", Map.of("a.lora_A.weight", new long[] {4, 8},
                "a.lora_B.weight", new long[] {8, 4}), "lora", Optional.empty()))
                .hasMessageContaining("lora.safetensors is not a textual inversion embedding: it holds 2 tensors");
        assertThatThrownBy(() -> EmbeddingLayout.plan("odd.safetensors", Map.of("emb_params", new long[] {1, 2, 768}), "odd",
                Optional.empty())).hasMessageContaining("odd.safetensors: emb_params has shape [1, 2, 768]");
    }
}
