package org.sdspark.model.diffusers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.io.torch.TorchCheckpointException;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.vae.AutoencoderKL;

class ComponentFolderTest {
    @TempDir
    Path dir;

    @Test
    void aWrongPathOrAFolderWithoutWeightsFailsNamingIt() throws IOException {
        Files.copy(Fixtures.path("tiny-sd/unet/config.json"), dir.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> UNet2DConditionModel.load(m, dir.resolve("missing")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining(dir.resolve("missing/config.json") + ": no such config file");
            assertThatThrownBy(() -> UNet2DConditionModel.load(m, dir))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(dir + ": no weights diffusion_pytorch_model.safetensors or diffusion_pytorch_model.bin");
            Files.writeString(dir.resolve("diffusion_pytorch_model.bin"), "not a pickle");
            assertThatThrownBy(() -> UNet2DConditionModel.load(m, dir))
                    .isInstanceOf(TorchCheckpointException.class)
                    .hasMessageContaining(dir.resolve("diffusion_pytorch_model.bin").toString())
                    .hasMessageContaining("not a PyTorch checkpoint");
            // a UNet's weights are not a VAE's config
            assertThatThrownBy(() -> AutoencoderKL.load(m, Fixtures.path("tiny-sd/unet")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("tiny-sd/unet/config.json");
        }
    }

    /** diffusers' variant="fp16" download: only diffusion_pytorch_model.fp16.safetensors, found without being named. */
    @Test
    void aFolderWithOnlyOneVariantLoadsItAndANamedVariantMustExist() throws IOException {
        Path fp16 = Fixtures.path("tiny-sd-fp16/unet");
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel detected = UNet2DConditionModel.load(m, fp16);
             UNet2DConditionModel named = UNet2DConditionModel.load(m,
                     new ComponentFolder(fp16, ComponentFolder.DIFFUSERS_WEIGHTS, "fp16"));
             StateDict full = StateDict.load(m, Fixtures.path("tiny-sd/unet/diffusion_pytorch_model.safetensors"))) {
            for (String key : full.tensors().keySet()) {
                NDArray rounded = full.tensors().get(key).toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false);
                assertThat(detected.stateDict().tensors().get(key).contentEquals(rounded)).as(key).isTrue();
                assertThat(named.stateDict().tensors().get(key).contentEquals(rounded)).as(key).isTrue();
            }
            assertThatThrownBy(() -> UNet2DConditionModel.load(m, new ComponentFolder(Fixtures.path("tiny-sd/unet"),
                    ComponentFolder.DIFFUSERS_WEIGHTS, "fp16")))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("no weights diffusion_pytorch_model.fp16.safetensors or diffusion_pytorch_model.fp16.bin")
                    .hasMessageContaining("for variant 'fp16'");
        }
    }

    @Test
    void twoVariantsAndNoPlainFileAsksForOne() throws IOException {
        Files.copy(Fixtures.path("tiny-sd/unet/config.json"), dir.resolve("config.json"));
        Path weights = Fixtures.path("tiny-sd-fp16/unet/diffusion_pytorch_model.fp16.safetensors");
        Files.copy(weights, dir.resolve("diffusion_pytorch_model.fp16.safetensors"));
        Files.copy(weights, dir.resolve("diffusion_pytorch_model.ema.safetensors"));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> UNet2DConditionModel.load(m, dir))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(dir + " has only variant weights [ema, fp16]; choose one (--variant)");
            try (UNet2DConditionModel ema = UNet2DConditionModel.load(m,
                    new ComponentFolder(dir, ComponentFolder.DIFFUSERS_WEIGHTS, "ema"))) {
                assertThat(ema.stateDict().source()).endsWith("diffusion_pytorch_model.ema.safetensors");
            }
        }
    }
}
