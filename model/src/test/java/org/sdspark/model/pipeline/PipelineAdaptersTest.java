package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;

/** Adapter files that do not fit the pipeline fail naming the file and keys, and change nothing. */
class PipelineAdaptersTest {
    private static final String PROJ_IN = "down_blocks.0.attentions.0.proj_in";

    @TempDir
    Path dir;
    private NDManager manager;
    private StableDiffusionPipeline pipeline;

    @BeforeEach
    void load() throws IOException {
        manager = NDManager.newBaseManager();
        pipeline = StableDiffusionPipeline.load(manager, Fixtures.path("tiny-sd"));
    }

    @AfterEach
    void close() {
        pipeline.close();
        manager.close();
    }

    @Test
    void aLoraWithLayersTheModelLacksMergesNothing() throws IOException {
        Path file = dir.resolve("sd15-lora.safetensors");
        StateDict.write(file, Map.of(
                "lora_unet_" + PROJ_IN.replace('.', '_') + ".lora_down.weight", manager.ones(new Shape(2, 16, 1, 1)),
                "lora_unet_" + PROJ_IN.replace('.', '_') + ".lora_up.weight", manager.ones(new Shape(16, 2, 1, 1)),
                "lora_unet_input_blocks_7_1_proj_in.lora_down.weight", manager.ones(new Shape(2, 640, 1, 1)),
                "lora_unet_input_blocks_7_1_proj_in.lora_up.weight", manager.ones(new Shape(640, 2, 1, 1))), Map.of());
        NDArray before = pipeline.unet().parameters().get(PROJ_IN + ".weight").duplicate();
        assertThatThrownBy(() -> pipeline.fuseLora(file, 1))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("lora_unet_input_blocks_7_1_proj_in");
        assertThat(pipeline.unet().parameters().get(PROJ_IN + ".weight").contentEquals(before)).isTrue();
    }

    @Test
    void aLoraMergesIntoTheWeightsByItsScale() throws IOException {
        NDArray before = pipeline.unet().parameters().get(PROJ_IN + ".weight").duplicate();
        pipeline.fuseLora(Fixtures.path("lora/sdspark-kohya.safetensors"), 0.5);
        NDArray after = pipeline.unet().parameters().get(PROJ_IN + ".weight");
        assertThat(after.contentEquals(before)).isFalse();
        pipeline.fuseLora(Fixtures.path("lora/sdspark-kohya.safetensors"), -0.5);
        assertThat(after.sub(before).abs().max().getFloat()).isLessThan(1e-6f);
    }

    @Test
    void embeddingsThatDoNotFitAreRefusedNamingTheFile() throws IOException {
        Path wide = dir.resolve("wide.safetensors");
        StateDict.write(wide, Map.of("emb_params", manager.ones(new Shape(2, 768))), Map.of());
        assertThatThrownBy(() -> pipeline.loadTextualInversion(wide, Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(wide.toString()).hasMessageContaining("vectors of 768 values").hasMessageContaining("32");

        Path embedding = Fixtures.path("embeddings/learned_embeds.safetensors");
        assertThatThrownBy(() -> pipeline.loadTextualInversion(embedding, Optional.of("a")))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("token 'a' is already in the vocabulary");
        pipeline.loadTextualInversion(embedding, Optional.empty());
        assertThatThrownBy(() -> pipeline.loadTextualInversion(embedding, Optional.empty()))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("'<cat-toy>' is added twice");
        assertThat(pipeline.configs().tokenizer().addedTokens()).containsExactly("<cat-toy>", "<cat-toy>_1");
        assertThat(pipeline.textEncoder().tokenCount()).isEqualTo(1516);

        Path pickle = dir.resolve("old.pt");
        Files.write(pickle, new byte[] {(byte) 0x80, 2});
        assertThatThrownBy(() -> pipeline.loadTextualInversion(pickle, Optional.empty()))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("old.pt").hasMessageContaining("convert it to safetensors");
    }
}
