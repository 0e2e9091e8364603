package org.sdspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.jobs.latents.LatentsJob;
import org.sdspark.model.embedding.TextualInversion;
import org.sdspark.model.embedding.TextualInversionFile;
import org.sdspark.model.io.SafeTensorsFile;

/**
 * The methods the recipes leave out, end to end through `sdspark train` on the tiny model:
 * textual inversion, LoCon, cached latents; and the checks made before any work.
 */
class MethodsTest {
    @TempDir
    static Path dir;

    private static List<String> run(Path dataset, Path output, String... more) {
        List<String> sets = new ArrayList<>(List.of(
                "sdspark.train.model=" + Hocon.quote(TrainingFixtures.TINY),
                "sdspark.train.dataset=" + Hocon.quote(dataset),
                "sdspark.train.output=" + Hocon.quote(output),
                "sdspark.train.steps=3",
                "sdspark.train.seed=5",
                "sdspark.train.learning-rate=1e-3",
                "sdspark.train.flip-probability=0.5",
                "sdspark.train.caption-dropout=0.2",
                "sdspark.train.loader.threads=1"));
        sets.addAll(List.of(more));
        return sets;
    }

    @Test
    void trainingOnCachedLatentsGivesTheLossesOfEncodingOnTheFly() throws Exception {
        Path cached = dir.resolve("cached");
        Path conf = Files.writeString(dir.resolve("latents.conf"), "sdspark.latents {\n input = "
                + Hocon.quote(TrainingFixtures.dataset()) + "\n output = " + Hocon.quote(cached)
                + "\n model = " + Hocon.quote(TrainingFixtures.TINY) + "\n flip = true\n storage = float32\n}");
        LatentsJob.create(SharedSpark.get(), ConfigLoader.load(Optional.of(conf), List.of()), System.out).run();

        Path pixels = dir.resolve("from-pixels");
        Path latents = dir.resolve("from-latents");
        String pixelLog = TrainingFixtures.train(run(cached, pixels, "sdspark.train.latents=pixels"));
        String latentLog = TrainingFixtures.train(run(cached, latents));

        assertThat(pixelLog).contains("; pixels;");
        assertThat(latentLog).contains("training on the cached latents of").contains("; cached latents;");
        Map<Long, Double> expected = TrainingFixtures.losses(pixels);
        Map<Long, Double> actual = TrainingFixtures.losses(latents);
        assertThat(actual.keySet()).containsExactly(1L, 2L, 3L).isEqualTo(expected.keySet());
        for (long step : expected.keySet()) {
            // the cache holds what the VAE gives for the same cropped, flipped pixels (to float rounding)
            assertThat(actual.get(step)).as("step %d", step).isCloseTo(expected.get(step),
                    org.assertj.core.data.Offset.offset(1e-5 * expected.get(step)));
        }
        assertThatThrownBy(() -> TrainingFixtures.train(run(cached, dir.resolve("bicubic"), "sdspark.train.latents=cached",
                "sdspark.train.resample=bicubic"))).isInstanceOf(UsageError.class)
                .hasMessageContaining("sdspark.train.latents").hasMessageContaining("resized with bilinear, training resizes with bicubic");
        assertThatThrownBy(() -> TrainingFixtures.train(run(TrainingFixtures.dataset(), dir.resolve("none"),
                "sdspark.train.latents=cached"))).isInstanceOf(UsageError.class).hasMessageContaining("has no cached latents");
    }

    @Test
    void textualInversionWritesBothLayoutsOfItsEmbedding() throws Exception {
        Path output = dir.resolve("ti");
        TrainingFixtures.train(run(TrainingFixtures.dreamboothDataset(), output, "sdspark.train.method=textual-inversion",
                "sdspark.train.textual-inversion.placeholder-token=\"<sks>\"", "sdspark.train.textual-inversion.initializer-token=a",
                "sdspark.train.textual-inversion.vectors=2", "sdspark.train.validation.prompts=[\"a photo of <sks> shape\"]",
                "sdspark.train.validation.steps=2"));
        try (NDManager m = NDManager.newBaseManager()) {
            TextualInversion diffusers = TextualInversionFile.read(m, output.resolve("learned_embeds.safetensors"), Optional.empty());
            TextualInversion a1111 = TextualInversionFile.read(m, output.resolve("sks.safetensors"), Optional.empty());
            assertThat(diffusers.token()).isEqualTo("<sks>");
            assertThat(a1111.token()).isEqualTo("sks");
            assertThat(diffusers.vectors().getShape().getShape()).containsExactly(2, 32);
            assertThat(diffusers.vectors().contentEquals(a1111.vectors())).isTrue();
        }
        assertThat(output.resolve("model")).doesNotExist();
        assertThat(output.resolve("validation").resolve("step-3.png")).exists();
    }

    @Test
    void loconAddsBranchesToTheResnetConvolutions() throws Exception {
        Path output = dir.resolve("locon");
        TrainingFixtures.train(run(TrainingFixtures.dataset(), output, "sdspark.train.method=locon", "sdspark.train.lora.rank=2",
                "sdspark.train.lora.conv-rank=3", "sdspark.train.lora.layouts=[kohya]"));
        try (SafeTensorsFile file = SafeTensorsFile.open(output.resolve("lora.safetensors"))) {
            long[] conv = file.tensors().get("lora_unet_down_blocks_0_resnets_0_conv1.lora_down.weight").shape();
            assertThat(conv).containsExactly(3, 16, 3, 3);
            assertThat(file.tensors().get("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight")
                    .shape()).containsExactly(2, 16);
        }
        assertThat(output.resolve("lora")).doesNotExist();
    }

    @Test
    void aMisplacedKeyOrAnUnusedPlaceholderFailsBeforeAnyWork() throws IOException {
        Path conf = Files.writeString(dir.resolve("full.conf"), "sdspark.train {\n  method = full\n  lora.rank = 8\n}\n");
        assertThatThrownBy(() -> new TrainCommand().run(List.of("--config", conf.toString(), "--set",
                "sdspark.train.model=m", "--set", "sdspark.train.dataset=d", "--set", "sdspark.train.output=o")))
                .isInstanceOf(UsageError.class).hasMessageContaining("full.conf: 3")
                .hasMessageContaining("sdspark.train.lora.rank").hasMessageContaining("method = full does not use it")
                .hasMessageContaining("lora, locon, dreambooth-lora");
        Path output = dir.resolve("never");
        assertThatThrownBy(() -> TrainingFixtures.train(run(TrainingFixtures.dataset(), output,
                "sdspark.train.method=textual-inversion", "sdspark.train.textual-inversion.placeholder-token=\"<cat-toy>\"",
                "sdspark.train.textual-inversion.initializer-token=a"))).isInstanceOf(UsageError.class)
                .hasMessageContaining("sdspark.train.textual-inversion.placeholder-token").hasMessageContaining("contains '<cat-toy>'");
        assertThat(output).doesNotExist();
    }
}
