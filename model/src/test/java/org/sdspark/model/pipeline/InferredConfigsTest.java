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
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.unet.UNetConfig;

/**
 * A checkpoint as other tools write them (original layout, no metadata) of a small model that keeps
 * SD 1.x's conventions (32 norm groups, 8 heads, 64-wide text heads, CLIP's vocabulary) loads with
 * configs inferred from its shapes and the bundled tokenizer, to the tensors it was made from.
 */
class InferredConfigsTest {
    @TempDir
    Path dir;

    @Test
    void foreignSd1CheckpointLoadsWithoutConfig() throws IOException {
        Path folder = dir.resolve("small-sd");
        writeConfig(folder.resolve("unet/config.json"), """
                {"block_out_channels": [32, 64], "layers_per_block": 1, "cross_attention_dim": 64,
                 "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
                 "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"], "attention_head_dim": 8}""");
        writeConfig(folder.resolve("vae/config.json"), """
                {"block_out_channels": [32, 32], "layers_per_block": 1, "latent_channels": 4,
                 "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"]}""");
        writeConfig(folder.resolve("text_encoder/config.json"), """
                {"hidden_size": 64, "num_attention_heads": 1, "num_hidden_layers": 2, "intermediate_size": 37,
                 "vocab_size": 49408, "max_position_embeddings": 77, "hidden_act": "quick_gelu",
                 "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1}""");
        Files.createDirectories(folder.resolve("scheduler"));
        Files.copy(Fixtures.path("tiny-sd/scheduler/scheduler_config.json"), folder.resolve("scheduler/scheduler_config.json"));
        BundledTokenizer.files(org.sdspark.model.checkpoint.CheckpointFamily.SD1).writeTo(folder);

        Path foreign = dir.resolve("foreign.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            writeRandomWeights(m, folder);
            try (StableDiffusionPipeline original = StableDiffusionPipeline.load(m, folder)) {
                saveWithoutMetadata(m, original, foreign);
                try (StableDiffusionPipeline inferred = StableDiffusionPipeline.load(m, foreign)) {
                    UNetConfig u = inferred.configs().unet();
                    assertThat(u.blockOutChannels()).containsExactly(32, 64);
                    assertThat(u.layersPerBlock()).containsExactly(1, 1);
                    assertThat(u.crossAttentionDim()).isEqualTo(64);
                    assertThat(inferred.configs().textEncoder().numHiddenLayers()).isEqualTo(2);
                    assertThat(inferred.configs().tokenizer().vocabSize()).isEqualTo(49408);
                    assertIdentical("unet", inferred.unet().stateDict(), original.unet().stateDict());
                    assertIdentical("vae", inferred.vae().stateDict(), original.vae().stateDict());
                    assertIdenticalUnderTextModel("text_encoder", inferred.textEncoder().weights(),
                            original.textEncoder().weights());
                    Path converted = dir.resolve("converted");
                    inferred.saveDiffusers(converted);
                    try (StableDiffusionPipeline back = StableDiffusionPipeline.load(m, converted)) {
                        assertIdentical("unet", back.unet().stateDict(), original.unet().stateDict());
                        assertThat(back.configs().unet()).isEqualTo(u);
                        assertThat(back.configs().tokenizer().vocabSize()).isEqualTo(49408);
                    }
                    GenerationSettings one = new GenerationSettings("a photo of a dog", null, 1, 7.5, "euler", 1, 16, 16, 1, 2, false);
                    assertThat(new TextToImage(inferred).generate(m, one, StepListener.NONE).get(0).width()).isEqualTo(16);
                }
            }
        }
    }
}
