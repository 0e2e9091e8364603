package org.sdspark.model.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sdspark.model.checkpoint.UnetKeyMap;
import org.sdspark.model.checkpoint.UnetLayout;
import org.sdspark.model.io.SafeTensorsException;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.testing.Fixtures;

/** The writers' files read back as the same adapters, and sdspark's committed files are what the writers write now. */
class LoraFileTest {
    private static final UnetLayout TINY = new UnetLayout(List.of(true, false), List.of(false, true), 2);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(LoraLayout.class)
    void writtenAdaptersReadBackTheSame(LoraLayout layout) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            LoraWeights written = SdsparkWrittenAdapters.build(manager);
            Path file = dir.resolve(layout + ".safetensors");
            LoraFile.write(file, written, layout);
            LoraWeights read = LoraFile.read(manager, file, modules(), KohyaNames.index(modules(), UnetKeyMap.of(TINY)));
            assertThat(read.modules()).hasSameSizeAs(written.modules());
            for (int i = 0; i < written.modules().size(); i++) {
                LoraModule w = written.modules().get(i);
                LoraModule r = read.modules().get(i);
                assertThat(r.module()).isEqualTo(w.module());
                assertThat(r.alpha()).isEqualTo(w.alpha());
                assertThat(r.down().contentEquals(w.down())).as(w.module() + " down").isTrue();
                assertThat(r.up().contentEquals(w.up())).as(w.module() + " up").isTrue();
            }
        }
    }

    @Test
    void kohyaFilesCarryAScalarAlphaPerModuleAndKohyasNetworkMetadata() throws IOException {
        try (SafeTensorsFile st = SafeTensorsFile.open(Fixtures.path("lora/" + SdsparkWrittenAdapters.KOHYA_FILE))) {
            assertThat(st.tensors().get("lora_unet_down_blocks_0_resnets_0_conv1.alpha").shape()).isEmpty();
            assertThat(st.tensors().get("lora_unet_down_blocks_0_resnets_0_conv1.lora_down.weight").shape()).containsExactly(3, 16, 3, 3);
            assertThat(st.tensors()).containsKey("lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight");
            assertThat(st.metadata()).containsEntry("ss_network_module", "networks.lora").containsEntry("ss_network_dim", "4")
                    .containsEntry("ss_network_alpha", "8");
        }
        try (SafeTensorsFile st = SafeTensorsFile.open(Fixtures.path("lora/" + SdsparkWrittenAdapters.PEFT_FILE))) {
            assertThat(st.tensors()).containsKey("text_encoder.encoder.layers.0.self_attn.q_proj.lora_A.weight");
            assertThat(st.metadata()).containsEntry("format", "pt").containsKey(PeftAdapterConfig.METADATA_KEY);
        }
    }

    /** Regenerate with SdsparkWrittenAdapters.main (see model/src/test/python/README.md) when the writers change on purpose. */
    @Test
    void committedSdsparkFilesAreWhatTheWritersWriteNow() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertSameAsCommitted(SdsparkWrittenAdapters.writeLora(manager, dir), "lora/");
            assertSameAsCommitted(SdsparkWrittenAdapters.writeEmbeddings(manager, dir), "embeddings/");
        }
    }

    private static void assertSameAsCommitted(List<Path> files, String folder) throws IOException {
        for (Path file : files) {
            assertThat(Files.readAllBytes(file)).as(file.getFileName().toString())
                    .isEqualTo(Files.readAllBytes(Fixtures.path(folder + file.getFileName())));
        }
    }

    @Test
    void aDamagedFileIsAnErrorNamingIt() throws IOException {
        Path cut = dir.resolve("cut.safetensors");
        byte[] bytes = Files.readAllBytes(Fixtures.path("lora/peft.safetensors"));
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> LoraFile.read(manager, cut, modules(), KohyaNames.index(modules(), UnetKeyMap.of(TINY))))
                    .isInstanceOf(SafeTensorsException.class).hasMessageContaining(cut.toString()).hasMessageContaining("truncated");
        }
    }

    @Test
    void aZeroAlphaMeansNoScalingAsInKohyaAndAnAlphaIsOneNumber() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            String name = "lora_unet_down_blocks_0_attentions_0_proj_in";
            Path file = dir.resolve("zero.safetensors");
            org.sdspark.model.nn.StateDict.write(file, Map.of(
                    name + ".lora_down.weight", manager.ones(new ai.djl.ndarray.types.Shape(2, 16, 1, 1)),
                    name + ".lora_up.weight", manager.ones(new ai.djl.ndarray.types.Shape(16, 2, 1, 1)),
                    name + ".alpha", manager.create(0f)), Map.of());
            LoraWeights read = LoraFile.read(manager, file, modules(), KohyaNames.index(modules(), UnetKeyMap.of(TINY)));
            assertThat(read.modules().get(0).scale()).isEqualTo(1);
            org.sdspark.model.nn.StateDict.write(file, Map.of(
                    name + ".lora_down.weight", manager.ones(new ai.djl.ndarray.types.Shape(2, 16, 1, 1)),
                    name + ".lora_up.weight", manager.ones(new ai.djl.ndarray.types.Shape(16, 2, 1, 1)),
                    name + ".alpha", manager.ones(new ai.djl.ndarray.types.Shape(2))), Map.of());
            assertThatThrownBy(() -> LoraFile.read(manager, file, modules(), KohyaNames.index(modules(), UnetKeyMap.of(TINY))))
                    .isInstanceOf(ModelLoadException.class).hasMessageContaining(name + ".alpha has shape (2)");
        }
    }

    private static AdaptableModules modules() throws IOException {
        return AdaptableModules.of(SdsparkWrittenAdapters.shapes(Fixtures.path("tiny-sd/unet/diffusion_pytorch_model.safetensors")),
                SdsparkWrittenAdapters.shapes(Fixtures.path("tiny-sd/text_encoder/model.safetensors")));
    }
}
