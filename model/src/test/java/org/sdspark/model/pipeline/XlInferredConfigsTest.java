package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.checkpoint.CheckpointFamily;
import org.sdspark.model.checkpoint.TextEncoderKeyMap;
import org.sdspark.model.clip.ClipTextConfig;
import org.sdspark.model.clip.ClipTextModel;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.unet.TextTimeConfig;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.unet.UNetConfig;
import org.sdspark.model.vae.AutoencoderKL;
import org.sdspark.model.vae.VaeConfig;

/**
 * An SDXL checkpoint as other tools write them (original layout, no metadata) of a small model that
 * keeps SDXL's conventions (64-channel heads, 32 norm groups, CLIP's vocabulary in both tokenizers)
 * loads with configs inferred from its shapes and the bundled tokenizers, to the tensors it was made from.
 */
class XlInferredConfigsTest {
    @TempDir
    Path dir;

    @Test
    void foreignSdxlCheckpointLoadsWithoutConfig() throws IOException {
        Path folder = dir.resolve("small-sdxl");
        write(folder.resolve("unet/config.json"), """
                {"block_out_channels": [64, 64, 128], "layers_per_block": 1, "cross_attention_dim": 128,
                 "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
                 "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
                 "attention_head_dim": [1, 1, 2], "transformer_layers_per_block": [1, 1, 2], "use_linear_projection": true,
                 "addition_embed_type": "text_time", "addition_time_embed_dim": 8,
                 "projection_class_embeddings_input_dim": 80, "sample_size": 128}""");
        write(folder.resolve("vae/config.json"), """
                {"block_out_channels": [32, 32], "layers_per_block": 1, "latent_channels": 4, "scaling_factor": 0.13025, "sample_size": 1024,
                 "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"]}""");
        String text = """
                {"hidden_size": 64, "num_attention_heads": 1, "num_hidden_layers": %d, "intermediate_size": 37,
                 "vocab_size": 49408, "max_position_embeddings": 77, "hidden_act": "%s", "projection_dim": 32,
                 "architectures": ["%s"], "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1}""";
        write(folder.resolve("text_encoder/config.json"), text.formatted(2, "quick_gelu", "CLIPTextModel"));
        write(folder.resolve("text_encoder_2/config.json"), text.formatted(3, "gelu", "CLIPTextModelWithProjection"));
        write(folder.resolve("model_index.json"), StableDiffusionPipeline.modelIndex(true).toString());
        write(folder.resolve("scheduler/scheduler_config.json"),
                Files.readString(Fixtures.path("tiny-sdxl/scheduler/scheduler_config.json")));
        BundledTokenizer.files(CheckpointFamily.SDXL).writeTo(folder);

        Path foreign = dir.resolve("foreign.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            try (UNet2DConditionModel unet = UNet2DConditionModel.random(m, UNetConfig.read(folder.resolve("unet/config.json")));
                 AutoencoderKL vae = AutoencoderKL.random(m, VaeConfig.read(folder.resolve("vae/config.json")));
                 ClipTextModel text1 = randomText(m, folder.resolve("text_encoder"));
                 ClipTextModel text2 = randomText(m, folder.resolve("text_encoder_2"))) {
                unet.stateDict().save(folder.resolve("unet/diffusion_pytorch_model.safetensors"), Map.of());
                vae.stateDict().save(folder.resolve("vae/diffusion_pytorch_model.safetensors"), Map.of());
                text1.weights().save(folder.resolve("text_encoder/model.safetensors"), Map.of());
                text2.weights().save(folder.resolve("text_encoder_2/model.safetensors"), Map.of());
            }
            try (StableDiffusionPipeline original = StableDiffusionPipeline.load(m, folder)) {
                Path withConfigs = dir.resolve("with-configs.safetensors");
                original.saveSingleFile(withConfigs);
                try (StateDict all = StateDict.load(m, withConfigs)) {
                    StateDict.write(foreign, all.tensors(), Map.of()); // as A1111 or diffusers' script write it
                }
                try (StableDiffusionPipeline inferred = StableDiffusionPipeline.load(m, foreign)) {
                    UNetConfig u = inferred.configs().unet();
                    assertThat(u).isEqualTo(original.configs().unet());
                    assertThat(u.textTime()).isEqualTo(new TextTimeConfig(8, 80));
                    assertThat(inferred.configs().vae()).isEqualTo(original.configs().vae());
                    ClipTextConfig t2 = inferred.configs().xl().textEncoder2();
                    assertThat(t2).isEqualTo(original.configs().xl().textEncoder2());
                    assertThat(inferred.configs().xl().tokenizer2().padToken()).isEqualTo("!");
                    assertThat(inferred.configs().tokenizer().vocabSize()).isEqualTo(49408);
                    assertSame(inferred.unet().stateDict(), original.unet().stateDict());
                    assertSame(inferred.vae().stateDict(), original.vae().stateDict());
                    assertSame(inferred.textEncoder().weights(), original.textEncoder().weights());
                    assertSame(inferred.textEncoder2().weights(), original.textEncoder2().weights());
                    GenerationSettings one = new GenerationSettings("a photo of a dog", null, 1, 5, "euler", 1, 32, 32, 1, 1,
                            false);
                    assertThat(new TextToImage(inferred).generate(m, one, StepListener.NONE).get(0).width()).isEqualTo(32);
                }
            }
        }
    }

    private static ClipTextModel randomText(NDManager m, Path folder) throws IOException {
        return ClipTextModel.of(ClipTextConfig.load(folder.resolve("config.json")), StateDict.random(m, "random"));
    }

    private static void write(Path file, String json) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
    }

    // Keys compared under text_model. (a fresh CLIPTextModel is named without it, as transformers 5 saves it)
    private static void assertSame(StateDict actual, StateDict expected) {
        assertThat(actual.tensors().keySet()).hasSameSizeAs(expected.tensors().keySet());
        expected.tensors().forEach((k, v) -> {
            NDArray a = actual.tensors().get(actual.contains(k) ? k : TextEncoderKeyMap.canonical(k));
            assertThat(a).as(k).isNotNull();
            assertThat(a.contentEquals(v)).as(k).isTrue();
        });
    }
}
