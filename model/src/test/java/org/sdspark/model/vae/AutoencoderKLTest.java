package org.sdspark.model.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.diffusers.ConfigException;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

class AutoencoderKLTest {
    @TempDir
    Path dir;

    private static VaeConfig tiny() {
        return new VaeConfig(3, 3, 4, List.of(8, 16), 1, 4, "silu", 0.18215, null, true, true, true, null);
    }

    @Test
    void encodesToHalfSizePerDownBlockAndDecodesBack() {
        try (NDManager m = NDManager.newBaseManager(); AutoencoderKL vae = AutoencoderKL.random(m, tiny())) {
            LatentDistribution posterior = vae.encode(m.randomUniform(-1f, 1f, new Shape(2, 3, 16, 12)));
            assertThat(posterior.mean().getShape()).isEqualTo(new Shape(2, 4, 8, 6));
            assertThat(posterior.logvar().getShape()).isEqualTo(new Shape(2, 4, 8, 6));
            NDArray noise = m.randomNormal(new Shape(2, 4, 8, 6));
            NDArray expected = posterior.mean().add(posterior.logvar().div(2).exp().mul(noise));
            assertThat(posterior.sample(noise).sub(expected).abs().max().getFloat()).isLessThan(1e-6f);
            assertThat(vae.decode(posterior.mode()).getShape()).isEqualTo(new Shape(2, 3, 16, 12));
            NDArray z = m.randomNormal(new Shape(1, 4, 3, 3));
            assertThat(vae.unscale(vae.scale(z)).sub(z).abs().max().getFloat()).isLessThan(1e-6f);
            assertThat(vae.scale(z).div(z).mean().getFloat()).isCloseTo(0.18215f, org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void float16AgreesWithFloat32() {
        try (NDManager m = NDManager.newBaseManager(); AutoencoderKL vae = AutoencoderKL.random(m, tiny());
             AutoencoderKL half = vae.toType(ai.djl.ndarray.types.DataType.FLOAT16)) {
            NDArray image = m.randomUniform(-1f, 1f, new Shape(1, 3, 16, 16));
            NDArray latents = m.randomNormal(new Shape(1, 4, 8, 8));
            assertThat(half.dataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT16);
            assertThat(Parity.relativeError(half.encode(image).mean(), vae.encode(image).mean())).isLessThan(1e-2);
            assertThat(Parity.relativeError(half.decode(latents), vae.decode(latents))).isLessThan(1e-2);
        }
    }

    @Test
    void weightsLiveUnderDiffusersKeys() {
        try (NDManager m = NDManager.newBaseManager(); AutoencoderKL vae = AutoencoderKL.random(m, tiny())) {
            assertThat(vae.parameters().keySet()).contains(
                    "encoder.conv_in.weight", "encoder.down_blocks.0.downsamplers.0.conv.weight",
                    "encoder.down_blocks.1.resnets.0.conv_shortcut.weight", "encoder.mid_block.attentions.0.group_norm.weight",
                    "encoder.mid_block.attentions.0.to_q.bias", "encoder.mid_block.attentions.0.to_out.0.weight",
                    "encoder.conv_out.weight", "quant_conv.weight", "post_quant_conv.bias",
                    "decoder.up_blocks.0.upsamplers.0.conv.weight", "decoder.up_blocks.1.resnets.0.conv_shortcut.weight",
                    "decoder.up_blocks.1.resnets.1.conv1.weight", "decoder.conv_norm_out.bias");
            assertThat(vae.parameters().keySet()).doesNotContain("encoder.down_blocks.1.downsamplers.0.conv.weight",
                    "decoder.up_blocks.1.upsamplers.0.conv.weight", "decoder.up_blocks.0.resnets.0.conv_shortcut.weight");
            assertThat(vae.parameters().get("encoder.conv_out.weight").getShape()).isEqualTo(new Shape(8, 16, 3, 3));
            assertThat(vae.parameters().get("encoder.mid_block.attentions.0.to_k.weight").getShape()).isEqualTo(new Shape(16, 16));
        }
    }

    @Test
    void readsTheFixtureConfigAndRejectsUnsupportedOptions() throws IOException {
        Path fixture = Fixtures.path("tiny-sd/vae/config.json");
        VaeConfig config = VaeConfig.read(fixture);
        assertThat(config.blockOutChannels()).containsExactly(16, 16, 32, 32);
        assertThat(config.scalingFactor()).isEqualTo(0.18215);
        assertThat(config.shiftFactor()).isNull();
        String json = Files.readString(fixture);
        Path latentsMean = dir.resolve("config.json");
        Files.writeString(latentsMean, json.replace("\"latents_mean\": null", "\"latents_mean\": [0.1, 0.2, 0.3, 0.4]"));
        assertThatThrownBy(() -> VaeConfig.read(latentsMean)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(latentsMean.toString()).hasMessageContaining("'latents_mean'");
        Files.writeString(latentsMean, json.replaceFirst("\"DownEncoderBlock2D\"", "\"AttnDownEncoderBlock2D\""));
        assertThatThrownBy(() -> VaeConfig.read(latentsMean)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'down_block_types'").hasMessageContaining("AttnDownEncoderBlock2D");
    }
}
