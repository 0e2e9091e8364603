package org.sdspark.model.diffusers;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.vae.AutoencoderKL;

class ComponentFolderTest {
    @TempDir
    Path dir;

    @Test
    void aWrongPathOrAFolderWithoutSafetensorsFailsNamingIt() throws IOException {
        Files.copy(Fixtures.path("tiny-sd/unet/config.json"), dir.resolve("config.json"));
        Files.writeString(dir.resolve("diffusion_pytorch_model.bin"), "pickle");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> UNet2DConditionModel.load(m, dir.resolve("missing")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining(dir.resolve("missing/config.json") + ": no such config file");
            assertThatThrownBy(() -> UNet2DConditionModel.load(m, dir))
                    .isInstanceOf(ModelLoadException.class).hasMessageContaining(dir + ": no diffusion_pytorch_model.safetensors");
            // a UNet's weights are not a VAE's config
            assertThatThrownBy(() -> AutoencoderKL.load(m, Fixtures.path("tiny-sd/unet")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("tiny-sd/unet/config.json");
        }
    }
}
