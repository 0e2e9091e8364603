package org.sdspark.model.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.testing.Fixtures;

/** Embeddings written in either layout read back as the same token and vectors, keyed as the reference files are. */
class TextualInversionFileTest {
    @TempDir
    Path dir;

    @Test
    void writersRoundTripBothLayouts() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            TextualInversion cat = TextualInversionFile.read(m, Fixtures.path("embeddings/learned_embeds.safetensors"), Optional.empty());
            assertThat(cat.token()).isEqualTo("<cat-toy>");
            assertThat(cat.tokens()).containsExactly("<cat-toy>", "<cat-toy>_1");
            assertThat(cat.vectors().getShape()).isEqualTo(new Shape(2, 32));

            Path diffusers = dir.resolve("learned_embeds.safetensors");
            TextualInversionFile.writeDiffusers(diffusers, cat);
            Path a1111 = dir.resolve("cat-toy.safetensors");
            TextualInversionFile.writeA1111(a1111, cat);
            try (SafeTensorsFile st = SafeTensorsFile.open(diffusers)) {
                assertThat(st.tensors().keySet()).containsExactly("<cat-toy>");
            }
            try (SafeTensorsFile st = SafeTensorsFile.open(a1111)) {
                assertThat(st.tensors().keySet()).containsExactly("emb_params");
            }
            TextualInversion back = TextualInversionFile.read(m, diffusers, Optional.empty());
            assertThat(back.token()).isEqualTo("<cat-toy>");
            assertThat(back.vectors().contentEquals(cat.vectors())).isTrue();
            TextualInversion named = TextualInversionFile.read(m, a1111, Optional.empty());
            assertThat(named.token()).isEqualTo("cat-toy");
            assertThat(named.vectors().contentEquals(cat.vectors())).isTrue();
        }
    }

    @Test
    void aSingleVectorStoredFlatIsOneRow() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path flat = dir.resolve("flat.safetensors");
            org.sdspark.model.nn.StateDict.write(flat, java.util.Map.of("<one>", m.arange(32f)), java.util.Map.of());
            TextualInversion one = TextualInversionFile.read(m, flat, Optional.of("<uno>"));
            assertThat(one.token()).isEqualTo("<uno>");
            assertThat(one.vectors().getShape()).isEqualTo(new Shape(1, 32));
            assertThat(one.tokens()).containsExactly("<uno>");
        }
    }
}
