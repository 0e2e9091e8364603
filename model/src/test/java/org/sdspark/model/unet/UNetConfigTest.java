package org.sdspark.model.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.diffusers.ConfigException;
import org.sdspark.model.testing.Fixtures;

class UNetConfigTest {
    @TempDir
    Path dir;

    // runwayml/stable-diffusion-v1-5 unet/config.json (written by diffusers 0.6: fewer keys than today)
    private static final String SD15 = """
            {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.6.0", "act_fn": "silu",
             "attention_head_dim": 8, "block_out_channels": [320, 640, 1280, 1280], "center_input_sample": false,
             "cross_attention_dim": 768,
             "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
             "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
             "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32, "out_channels": 4, "sample_size": 64,
             "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]}
            """;

    private Path write(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    void readsStableDiffusion15() throws IOException {
        assertThat(UNetConfig.read(write(SD15))).isEqualTo(UNetConfig.stableDiffusion15());
    }

    @Test
    void attentionHeadDimIsTheHeadCountUnlessNumAttentionHeadsIsGiven() throws IOException {
        UNetConfig sd1 = UNetConfig.read(Fixtures.path("tiny-sd/unet/config.json"));
        assertThat(sd1.attentionHeads()).containsExactly(8, 8);
        assertThat(sd1.useLinearProjection()).isFalse();
        UNetConfig sd2 = UNetConfig.read(Fixtures.path("sd2/unet/config.json"));
        assertThat(sd2.attentionHeads()).containsExactly(2, 4);
        assertThat(sd2.useLinearProjection()).isTrue();
        assertThat(sd2.upcastAttention()).isTrue();
        assertThat(sd2.layersPerBlock()).containsExactly(1, 1);
        UNetConfig explicit = UNetConfig.read(write(SD15.replace("\"attention_head_dim\": 8", "\"num_attention_heads\": [5, 10, 20, 20]")));
        assertThat(explicit.attentionHeads()).isEqualTo(List.of(5, 10, 20, 20));
    }

    @Test
    void unsupportedOptionsUnknownKeysAndBlockTypesFailNamingKeyAndFile() throws IOException {
        Path classEmbed = write(SD15.replace("\"act_fn\": \"silu\"", "\"act_fn\": \"silu\", \"class_embed_type\": \"timestep\""));
        assertThatThrownBy(() -> UNetConfig.read(classEmbed)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(classEmbed.toString()).hasMessageContaining("'class_embed_type' = \"timestep\" is not supported");
        Path unknown = write(SD15.replace("\"act_fn\": \"silu\"", "\"act_fn\": \"silu\", \"fancy_option\": 3"));
        assertThatThrownBy(() -> UNetConfig.read(unknown)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(unknown.toString()).hasMessageContaining("unsupported keys [fancy_option]");
        Path block = write(SD15.replace("\"DownBlock2D\"]", "\"AttnDownBlock2D\"]"));
        assertThatThrownBy(() -> UNetConfig.read(block)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(block.toString()).hasMessageContaining("'down_block_types' contains unsupported block type AttnDownBlock2D");
        Path type = write(SD15.replace("\"layers_per_block\": 2", "\"layers_per_block\": \"two\""));
        assertThatThrownBy(() -> UNetConfig.read(type)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'layers_per_block' must be an integer, not \"two\"");
        Path missing = dir.resolve("nowhere/config.json");
        assertThatThrownBy(() -> UNetConfig.read(missing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing + ": no such config file");
    }
}
