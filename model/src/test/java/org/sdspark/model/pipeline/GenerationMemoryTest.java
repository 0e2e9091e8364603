package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdspark.model.unet.UNetConfig;
import org.sdspark.model.vae.VaeConfig;

class GenerationMemoryTest {
    private static final UNetConfig SD15 = UNetConfig.stableDiffusion15();
    private static final VaeConfig SD_VAE = new VaeConfig(3, 3, 4, List.of(128, 256, 512, 512), 2, 32, "silu", 0.18215,
            null, true, true, true, 512);

    @Test
    void theFirstLevelsAttentionBoundsSd15() {
        // 512 px: 64x64 latents, 8 heads, batch 2 under guidance: 2 * 8 * 4096^2 float32 scores and softmax
        assertThat(GenerationMemory.lowerBoundBytes(1000, SD15, SD_VAE, 512, 512, true)).isEqualTo(1000 + 2.0 * 8 * 4096 * 4096 * 8);
        assertThat(GenerationMemory.lowerBoundBytes(0, SD15, SD_VAE, 512, 512, false)).isEqualTo(8.0 * 4096 * 4096 * 8);
        // quadratic in the pixels: 4096 px needs 4096 times 512 px's, about 8 TiB
        assertThat(GenerationMemory.lowerBoundBytes(0, SD15, SD_VAE, 4096, 4096, true))
                .isEqualTo(4096 * GenerationMemory.lowerBoundBytes(0, SD15, SD_VAE, 512, 512, true));
    }

    @Test
    void withoutAttentionAtFullSizeTheVaeDecoderCanBeTheLargest() {
        UNetConfig deepAttention = new UNetConfig(4, 4, List.of(320, 640), List.of(2, 2),
                List.of(UNetConfig.DOWN_BLOCK, UNetConfig.DOWN_BLOCK), List.of(UNetConfig.UP_BLOCK, UNetConfig.UP_BLOCK),
                UNetConfig.MID_BLOCK, 768, List.of(1, 1), List.of(1, 1), false, false, 32, 1e-5f, true, 0, "silu", 1, 1, 64, null);
        // UNet: only its mid block attends, at 32x32 (1 head, batch 1); VAE: one head at 64x64
        assertThat(GenerationMemory.lowerBoundBytes(0, deepAttention, SD_VAE, 512, 512, false)).isEqualTo(4096.0 * 4096 * 8);
    }
}
