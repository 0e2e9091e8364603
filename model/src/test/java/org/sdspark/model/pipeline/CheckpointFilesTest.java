package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sdspark.model.pipeline.PipelineAssertions.assertAllIdentical;
import static org.sdspark.model.pipeline.PipelineAssertions.assertIdentical;
import static org.sdspark.model.pipeline.PipelineAssertions.assertIdenticalUnderTextModel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;

/**
 * The files users have besides a diffusers folder and a .safetensors single file: LDM training
 * checkpoints written by torch.save (zip and legacy, with EMA weights) and diffusers' fp16
 * variant folder (fixtures from make_ckpt_sampler_fixtures.py).
 */
class CheckpointFilesTest {
    private static final Path FOLDER = Fixtures.path("tiny-sd");
    private static final Path FP16_FOLDER = Fixtures.path("tiny-sd-fp16");
    private static final Path ZIP = Fixtures.path("ckpt/tiny-sd-ema.ckpt");
    private static final Path LEGACY_FP16 = Fixtures.path("ckpt/tiny-sd-ema-fp16-legacy.ckpt");
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static LoadOptions withConfig(boolean ema) {
        return new LoadOptions(FOLDER, false, DataType.FLOAT32, null, ema);
    }

    @Test
    void aTrainingCheckpointLoadsTheModelWeightsLeavingEmaAndScheduleBuffersOut() throws IOException {
        try (StableDiffusionPipeline ckpt = StableDiffusionPipeline.load(manager, ZIP, withConfig(false));
             StableDiffusionPipeline folder = StableDiffusionPipeline.load(manager, FOLDER)) {
            int n = assertAllIdentical(ckpt, folder);
            System.out.println(".ckpt (zip) vs diffusers folder: " + n + " tensors bit-identical");
        }
    }

    /** diffusers' convert_ldm_unet_checkpoint(extract_ema=True) says which model_ema key each UNet weight comes from. */
    @Test
    void emaTakesEveryUnetWeightFromTheKeyDiffusersConversionTakesIt() throws IOException {
        JsonNode sources = new ObjectMapper().readTree(Fixtures.path("ckpt/ema-sources.json").toFile());
        try (StableDiffusionPipeline ema = StableDiffusionPipeline.load(manager, ZIP, withConfig(true));
             StableDiffusionPipeline plain = StableDiffusionPipeline.load(manager, FOLDER);
             StateDict file = StateDict.load(manager, ZIP)) {
            Map<String, NDArray> unet = ema.unet().stateDict().tensors();
            assertThat(unet.keySet()).containsExactlyInAnyOrderElementsOf(() -> sources.fieldNames());
            int differing = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = sources.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertThat(unet.get(e.getKey()).contentEquals(file.tensors().get(e.getValue().asText()))).as(e.getKey()).isTrue();
                differing += unet.get(e.getKey()).contentEquals(plain.unet().stateDict().tensors().get(e.getKey())) ? 0 : 1;
            }
            assertThat(differing).as("EMA weights differ from the training weights").isEqualTo(sources.size());
            assertIdentical("vae", ema.vae().stateDict(), plain.vae().stateDict());
            assertIdentical("text_encoder", ema.textEncoder().weights(), plain.textEncoder().weights());
        }
    }

    /** The legacy format, in half precision: the same values as diffusers' fp16 variant folder of the same model. */
    @Test
    void aLegacyHalfPrecisionCheckpointEqualsTheFp16VariantFolder() throws IOException {
        try (StableDiffusionPipeline legacy = StableDiffusionPipeline.load(manager, LEGACY_FP16, withConfig(false));
             StableDiffusionPipeline variant = StableDiffusionPipeline.load(manager, FP16_FOLDER);
             StableDiffusionPipeline named = StableDiffusionPipeline.load(manager, FP16_FOLDER,
                     new LoadOptions(null, false, DataType.FLOAT32, "fp16", false))) {
            for (StableDiffusionPipeline fp16 : new StableDiffusionPipeline[] {variant, named}) {
                assertIdentical("unet", legacy.unet().stateDict(), fp16.unet().stateDict());
                assertIdentical("vae", legacy.vae().stateDict(), fp16.vae().stateDict());
                // transformers 5 saved the variant's text encoder without the text_model. prefix
                assertIdenticalUnderTextModel("text_encoder", legacy.textEncoder().weights(), fp16.textEncoder().weights());
            }
        }
        try (StableDiffusionPipeline legacyEma = StableDiffusionPipeline.load(manager, LEGACY_FP16, withConfig(true));
             StableDiffusionPipeline zipEma = StableDiffusionPipeline.load(manager, ZIP, withConfig(true))) {
            zipEma.unet().stateDict().tensors().forEach((k, v) -> assertThat(legacyEma.unet().stateDict().tensors().get(k)
                    .contentEquals(v.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false))).as(k).isTrue());
        }
    }

    @Test
    void emaAndVariantAreRefusedWhereTheyMeanNothing() {
        Path single = Fixtures.path("tiny-sd.safetensors");
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, single, withConfig(true)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining(single.toString())
                .hasMessageContaining("has no EMA weights").hasMessageContaining("without EMA");
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, FOLDER, new LoadOptions(null, false, DataType.FLOAT32, null, true)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("diffusers folder");
        assertThatThrownBy(() -> StableDiffusionPipeline.load(manager, ZIP, new LoadOptions(FOLDER, false, DataType.FLOAT32, "fp16", false)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("names the files of a diffusers folder");
    }
}
