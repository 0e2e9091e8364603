package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sdspark.model.pipeline.PipelineAssertions.assertIdentical;
import static org.sdspark.model.pipeline.PipelineAssertions.assertIdenticalUnderTextModel;
import static org.sdspark.model.pipeline.PipelineFolders.saveWithoutMetadata;
import static org.sdspark.model.pipeline.PipelineFolders.writeConfig;
import static org.sdspark.model.pipeline.PipelineFolders.writeRandomWeights;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.checkpoint.CheckpointFamily;
import org.sdspark.model.clip.ClipTextConfig;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.unet.TextTimeConfig;
import org.sdspark.model.unet.UNetConfig;

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
        writeConfig(folder.resolve("unet/config.json"), """
                {"block_out_channels": [64, 64, 128], "layers_per_block": 1, "cross_attention_dim": 128,
                 "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
                 "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
                 "attention_head_dim": [1, 1, 2], "transformer_layers_per_block": [1, 1, 2], "use_linear_projection": true,
                 "addition_embed_type": "text_time", "addition_time_embed_dim": 8,
                 "projection_class_embeddings_input_dim": 80, "sample_size": 128}""");
        writeConfig(folder.resolve("vae/config.json"), """
                {"block_out_channels": [32, 32], "layers_per_block": 1, "latent_channels": 4, "scaling_factor": 0.13025, "sample_size": 1024,
                 "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"]}""");
        String text = """
                {"hidden_size": 64, "num_attention_heads": 1, "num_hidden_layers": %d, "intermediate_size": 37,
                 "vocab_size": 49408, "max_position_embeddings": 77, "hidden_act": "%s", "projection_dim": 32,
                 "architectures": ["%s"], "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1}""";
        writeConfig(folder.resolve("text_encoder/config.json"), text.formatted(2, "quick_gelu", "CLIPTextModel"));
        writeConfig(folder.resolve("text_encoder_2/config.json"), text.formatted(3, "gelu", "CLIPTextModelWithProjection"));
        writeConfig(folder.resolve("model_index.json"), StableDiffusionPipeline.modelIndex(true).toString());
        writeConfig(folder.resolve("scheduler/scheduler_config.json"),
                Files.readString(Fixtures.path("tiny-sdxl/scheduler/scheduler_config.json")));
        BundledTokenizer.files(CheckpointFamily.SDXL).writeTo(folder);

        Path foreign = dir.resolve("foreign.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            writeRandomWeights(m, folder);
            try (StableDiffusionPipeline original = StableDiffusionPipeline.load(m, folder)) {
                saveWithoutMetadata(m, original, foreign);
                try (StableDiffusionPipeline inferred = StableDiffusionPipeline.load(m, foreign)) {
                    UNetConfig u = inferred.configs().unet();
                    assertThat(u).isEqualTo(original.configs().unet());
                    assertThat(u.textTime()).isEqualTo(new TextTimeConfig(8, 80));
                    assertThat(inferred.configs().vae()).isEqualTo(original.configs().vae());
                    ClipTextConfig t2 = inferred.configs().xl().textEncoder2();
                    assertThat(t2).isEqualTo(original.configs().xl().textEncoder2());
                    assertThat(inferred.configs().xl().tokenizer2().padToken()).isEqualTo("!");
                    assertThat(inferred.configs().tokenizer().vocabSize()).isEqualTo(49408);
                    assertIdentical("unet", inferred.unet().stateDict(), original.unet().stateDict());
                    assertIdentical("vae", inferred.vae().stateDict(), original.vae().stateDict());
                    assertIdenticalUnderTextModel("text_encoder", inferred.textEncoder().weights(),
                            original.textEncoder().weights());
                    assertIdenticalUnderTextModel("text_encoder_2", inferred.textEncoder2().weights(),
                            original.textEncoder2().weights());
                    GenerationSettings one = new GenerationSettings("a photo of a dog", null, 1, 5, "euler", 1, 32, 32, 1, 1,
                            false);
                    assertThat(new TextToImage(inferred).generate(m, one, StepListener.NONE).get(0).width()).isEqualTo(32);
                }
            }
        }
    }
}
