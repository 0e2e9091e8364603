package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sdspark.model.pipeline.PipelineAssertions.assertAllIdentical;
import static org.sdspark.model.pipeline.PipelineAssertions.assertDiffusersRoundTripIsBitExact;
import static org.sdspark.model.pipeline.PipelineAssertions.assertIdentical;
import static org.sdspark.model.pipeline.PipelineAssertions.assertIdenticalUnderTextModel;
import static org.sdspark.model.pipeline.PipelineAssertions.assertSingleFileRoundTripIsBitExact;
import static org.sdspark.model.pipeline.PipelineFolders.copyTree;
import static org.sdspark.model.pipeline.PipelineFolders.tree;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.io.SafeTensorsException;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;

class PipelineLoadSaveTest {
    private static final Path FOLDER = Fixtures.path("tiny-sd");
    private static final Path SINGLE = Fixtures.path("tiny-sd.safetensors");
    private static final LoadOptions WITH_CONFIG = new LoadOptions(FOLDER, false, DataType.FLOAT32);
    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void singleFileAndDiffusersFolderLoadToIdenticalTensors() throws IOException {
        try (StableDiffusionPipeline folder = StableDiffusionPipeline.load(manager, FOLDER);
             StableDiffusionPipeline single = StableDiffusionPipeline.load(manager, SINGLE, WITH_CONFIG)) {
            int n = assertAllIdentical(single, folder);
            System.out.println("single file vs diffusers folder: " + n + " tensors bit-identical");
        }
    }

    @Test
    void diffusersRoundTripIsBitExact() throws IOException {
        Map<String, byte[]> a = assertDiffusersRoundTripIsBitExact(manager, FOLDER, dir);
        assertThat(a.keySet()).contains("model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                "vae/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors", "tokenizer/vocab.json",
                "tokenizer/merges.txt", "scheduler/scheduler_config.json");
        for (String config : List.of("model_index.json", "unet/config.json", "vae/config.json",
                "text_encoder/config.json", "scheduler/scheduler_config.json", "tokenizer/vocab.json")) {
            assertThat(a.get(config)).as(config).isEqualTo(Files.readAllBytes(FOLDER.resolve(config)));
        }
        System.out.println("diffusers round trip: " + a.size() + " files byte-identical on the second save");
    }

    @Test
    void singleFileRoundTripIsBitExactAndNeedsNoConfig() throws IOException {
        Path first = assertSingleFileRoundTripIsBitExact(manager, SINGLE, WITH_CONFIG, dir);
        try (SafeTensorsFile st = SafeTensorsFile.open(first)) {
            assertThat(st.metadata()).containsKeys("format", "sdspark/unet/config.json", "sdspark/vae/config.json",
                    "sdspark/text_encoder/config.json", "sdspark/scheduler/scheduler_config.json", "sdspark/model_index.json",
                    "sdspark/tokenizer/vocab.json", "sdspark/tokenizer/merges.txt", "sdspark/tokenizer/tokenizer_config.json");
            assertThat(st.metadata().get("sdspark/tokenizer/tokenizer.json"))
                    .isEqualTo(Files.readString(FOLDER.resolve("tokenizer/tokenizer.json")));
            assertThat(st.metadata().get("sdspark/unet/config.json"))
                    .isEqualTo(Files.readString(FOLDER.resolve("unet/config.json")));
        }
        // the same tensors under the same names as diffusers' conversion script wrote
        try (StateDict ours = StateDict.load(manager, first); StateDict theirs = StateDict.load(manager, SINGLE)) {
            assertThat(ours.tensors().keySet()).containsExactlyInAnyOrderElementsOf(theirs.tensors().keySet());
            int n = assertIdentical("single file", ours, theirs);
            System.out.println("single-file round trip: " + n + " tensors equal to diffusers' conversion, "
                    + Files.size(first) + " bytes identical on the second save");
        }
    }

    @Test
    void sd2PipelineSavesOpenClipLayoutAndLoadsBack() throws IOException {
        Path sd2 = dir.resolve("sd2");
        copyTree(FOLDER, sd2);
        copyTree(Fixtures.path("sd2/unet"), sd2.resolve("unet"));
        copyTree(Fixtures.path("sd2/text_encoder"), sd2.resolve("text_encoder"));
        Path file = dir.resolve("sd2.safetensors");
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(manager, sd2)) {
            p.saveSingleFile(file);
            try (StateDict saved = StateDict.load(manager, file)) {
                assertThat(saved.tensors()).containsKeys("cond_stage_model.model.transformer.resblocks.2.attn.in_proj_weight",
                        "cond_stage_model.model.positional_embedding", "cond_stage_model.model.ln_final.bias",
                        "model.diffusion_model.input_blocks.1.1.proj_in.weight");
                assertThat(saved.tensors().keySet()).noneMatch(k -> k.startsWith("cond_stage_model.transformer."));
                assertThat(saved.tensors().get("cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight").getShape())
                        .isEqualTo(new ai.djl.ndarray.types.Shape(96, 32));
            }
            try (StableDiffusionPipeline back = StableDiffusionPipeline.load(manager, file)) {
                assertIdentical("unet", back.unet().stateDict(), p.unet().stateDict());
                // transformers 5 saved the SD2 text encoder without the text_model. level; SD files have it
                assertIdenticalUnderTextModel("text_encoder", back.textEncoder().weights(), p.textEncoder().weights());
            }
        }
    }

    @Test
    void wrongPathIsNamed() {
        Path missing = dir.resolve("no-such-model");
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, missing))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void diffusersFolderMissingFilesListsThem() throws IOException {
        Path partial = dir.resolve("partial");
        copyTree(FOLDER, partial);
        Files.delete(partial.resolve("vae/config.json"));
        Files.delete(partial.resolve("tokenizer/merges.txt"));
        Files.delete(partial.resolve("tokenizer/tokenizer.json"));
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, partial))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining(partial.toString())
                .hasMessageContaining("vae/config.json").hasMessageContaining("tokenizer/merges.txt");
    }

    @Test
    void aTokenizerJsonAloneIsEnoughAndSurvivesTheSingleFileRoundTrip() throws IOException {
        Path transformers5 = dir.resolve("transformers5");
        copyTree(FOLDER, transformers5);
        Files.delete(transformers5.resolve("tokenizer/vocab.json"));
        Files.delete(transformers5.resolve("tokenizer/merges.txt"));
        Path single = dir.resolve("single.safetensors");
        Path back = dir.resolve("back");
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(manager, transformers5)) {
            assertThat(p.configs().tokenizer().encode("a photo of sks dog").ids())
                    .isEqualTo(ClipTokenizer.load(FOLDER.resolve("tokenizer")).encode("a photo of sks dog").ids());
            p.saveSingleFile(single);
        }
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(manager, single)) {
            p.saveDiffusers(back);
        }
        assertThat(tree(back.resolve("tokenizer"))).containsOnlyKeys("tokenizer.json", "tokenizer_config.json");
        assertThat(back.resolve("tokenizer/tokenizer.json")).hasSameBinaryContentAs(FOLDER.resolve("tokenizer/tokenizer.json"));
    }

    @Test
    void truncatedCheckpointIsNamed() throws IOException {
        Path cut = dir.resolve("cut.safetensors");
        Files.copy(SINGLE, cut);
        try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(SINGLE) - 1000);
        }
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, cut, WITH_CONFIG))
                .isInstanceOf(SafeTensorsException.class).hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void mismatchedShapeNamesFileAndKey() throws IOException {
        Path bad = dir.resolve("bad.safetensors");
        try (StateDict sd = StateDict.load(manager, SINGLE)) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(sd.tensors());
            tensors.put("model.diffusion_model.input_blocks.1.0.in_layers.2.weight", manager.zeros(new ai.djl.ndarray.types.Shape(16, 16, 1, 1)));
            StateDict.write(bad, tensors, Map.of());
        }
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, bad, WITH_CONFIG))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining(bad.toString())
                .hasMessageContaining("down_blocks.0.resnets.0.conv1.weight").hasMessageContaining("(16, 16, 1, 1)")
                .hasMessageContaining("[in the file: model.diffusion_model.input_blocks.1.0.in_layers.2.weight]");
    }

    @Test
    void keysOutsideTheComponentsAreSkippedButStrayKeysInsideAreListed() throws IOException {
        Path extra = dir.resolve("extra.safetensors");
        Path stray = dir.resolve("stray.safetensors");
        try (StateDict sd = StateDict.load(manager, SINGLE)) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(sd.tensors());
            // what LDM training leaves in a checkpoint: the noise schedule and an EMA copy
            tensors.put("alphas_cumprod", manager.ones(new ai.djl.ndarray.types.Shape(1000)));
            tensors.put("model_ema.diffusion_modelinput_blocks00weight", manager.ones(new ai.djl.ndarray.types.Shape(16, 4, 3, 3)));
            StateDict.write(extra, tensors, Map.of());
            tensors.put("first_stage_model.decoder.up.0.block.9.conv1.weight", manager.ones(new ai.djl.ndarray.types.Shape(2)));
            StateDict.write(stray, tensors, Map.of());
        }
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(manager, extra, WITH_CONFIG);
             StableDiffusionPipeline ref = StableDiffusionPipeline.load(manager, FOLDER)) {
            assertIdentical("unet", p.unet().stateDict(), ref.unet().stateDict());
        }
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, stray, WITH_CONFIG))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining(stray.toString())
                .hasMessageContaining("unexpected decoder.up.0.block.9.conv1.weight (2)")
                .hasMessageContaining("[in the file: first_stage_model.decoder.up.0.block.9.conv1.weight]");
    }

    @Test
    void checkpointWithoutConfigsGetsInferredOnesAndIsToldToPassConfigWhenTheyDoNotFit() {
        // the tiny model's 8 norm groups are not SD's 32, which is what inference assumes
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, SINGLE))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining(SINGLE.toString())
                .hasMessageContaining("inferred").hasMessageContaining("norm_num_groups").hasMessageContaining("--config");
    }
}
