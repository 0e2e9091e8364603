package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sdspark.model.pipeline.PipelineAssertions.assertAllIdentical;
import static org.sdspark.model.pipeline.PipelineAssertions.assertDiffusersRoundTripIsBitExact;
import static org.sdspark.model.pipeline.PipelineAssertions.assertIdentical;
import static org.sdspark.model.pipeline.PipelineAssertions.assertSingleFileRoundTripIsBitExact;
import static org.sdspark.model.pipeline.PipelineFolders.copyTree;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;

/**
 * The tiny SDXL as diffusers saved it (folder) and as diffusers' convert_diffusers_to_original_sdxl.py
 * wrote it (single file: conditioner.embedders.0/1, label_emb, OpenCLIP's fused attention and
 * transposed text_projection): both load to the same tensors, and both layouts save back exactly.
 */
class XlPipelineLoadSaveTest {
    private static final Path FOLDER = Fixtures.path("tiny-sdxl");
    private static final Path SINGLE = Fixtures.path("tiny-sdxl.safetensors");
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
            assertThat(folder.configs().xl().forceZerosForEmptyPrompt()).isTrue();
            assertThat(folder.configs().xl().tokenizer2().padToken()).isEqualTo("!");
            assertThat(folder.configs().tokenizer().padToken()).isEqualTo("<|endoftext|>");
            int n = assertAllIdentical(single, folder);
            System.out.println("sdxl single file vs diffusers folder: " + n + " tensors bit-identical");
        }
    }

    @Test
    void diffusersRoundTripIsBitExact() throws IOException {
        Map<String, byte[]> a = assertDiffusersRoundTripIsBitExact(manager, FOLDER, dir);
        assertThat(a.keySet()).contains("text_encoder_2/model.safetensors", "text_encoder_2/config.json",
                "tokenizer_2/vocab.json", "tokenizer_2/merges.txt", "tokenizer_2/tokenizer_config.json");
        for (String config : List.of("model_index.json", "unet/config.json", "text_encoder_2/config.json",
                "tokenizer_2/tokenizer_config.json", "scheduler/scheduler_config.json")) {
            assertThat(a.get(config)).as(config).isEqualTo(Files.readAllBytes(FOLDER.resolve(config)));
        }
    }

    @Test
    void singleFileRoundTripEqualsDiffusersConversionAndNeedsNoConfig() throws IOException {
        Path first = assertSingleFileRoundTripIsBitExact(manager, SINGLE, WITH_CONFIG, dir);
        try (SafeTensorsFile st = SafeTensorsFile.open(first)) {
            assertThat(st.metadata()).containsKeys("sdspark/text_encoder_2/config.json", "sdspark/tokenizer_2/vocab.json",
                    "sdspark/tokenizer_2/tokenizer_config.json", "sdspark/model_index.json");
        }
        try (StateDict ours = StateDict.load(manager, first); StateDict theirs = StateDict.load(manager, SINGLE)) {
            assertThat(ours.tensors().get("conditioner.embedders.1.model.text_projection").getShape()).isEqualTo(new Shape(48, 40));
            assertThat(ours.tensors()).containsKeys("model.diffusion_model.label_emb.0.0.weight",
                    "conditioner.embedders.0.transformer.text_model.encoder.layers.2.mlp.fc2.bias",
                    "conditioner.embedders.1.model.transformer.resblocks.3.attn.in_proj_weight",
                    "model.diffusion_model.output_blocks.2.2.conv.weight");
            int n = assertIdentical("sdxl single file", ours, theirs);
            System.out.println("sdxl single-file round trip: " + n + " tensors equal to diffusers' conversion");
        }
    }

    @Test
    void openClipTemperatureIsSkippedLikeDiffusers() throws IOException {
        Path withLogitScale = dir.resolve("with-logit-scale.safetensors");
        try (StateDict all = StateDict.load(manager, SINGLE)) {
            Map<String, ai.djl.ndarray.NDArray> tensors = new java.util.LinkedHashMap<>(all.tensors());
            tensors.put("conditioner.embedders.1.model.logit_scale", manager.create(4.6f));
            StateDict.write(withLogitScale, tensors, Map.of());
        }
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(manager, withLogitScale, WITH_CONFIG);
             StableDiffusionPipeline ref = StableDiffusionPipeline.load(manager, FOLDER)) {
            assertIdentical("text_encoder_2", p.textEncoder2().weights(), ref.textEncoder2().weights());
        }
    }

    @Test
    void aFolderWhoseEncodersDoNotFitTheUnetIsRefused() throws IOException {
        Path mixed = dir.resolve("mixed");
        copyTree(FOLDER, mixed);
        Files.delete(mixed.resolve("text_encoder_2/config.json"));
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, mixed))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("text_time")
                .hasMessageContaining("no text_encoder_2");
        copyTree(FOLDER, mixed);
        Files.delete(mixed.resolve("tokenizer_2/merges.txt"));
        Files.delete(mixed.resolve("tokenizer_2/tokenizer.json"));
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, mixed))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("tokenizer_2/merges.txt");
    }
}
