package org.sdspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.model.io.SafeTensorsFile;

/**
 * Every training recipe in conf/ (the five seed notes), run as written by `sdspark train` for two
 * steps on the bundled tiny model and dataset: only the paths, the step count and the sizes of
 * sampling are overridden. Each leaves its method's exports, metrics and validation grids.
 */
class RecipesTest {
    private static final Path CONF = Path.of("..", "conf");

    @TempDir
    static Path dir;
    static Path dataset;

    @BeforeAll
    static void prepare() throws IOException {
        dataset = TrainingFixtures.dataset();
    }

    static Stream<Arguments> recipes() {
        return Stream.of(
                Arguments.of("train-dreambooth-dog.conf", List.of("model", "model.safetensors", "class-images", "class-dataset"),
                        List.of("sdspark.train.dreambooth.num-class-images=2", "sdspark.train.dreambooth.class-generation.steps=2")),
                Arguments.of("train-dreambooth-lora.conf", List.of("lora/pytorch_lora_weights.safetensors", "lora.safetensors"),
                        List.of()),
                Arguments.of("train-naruto.conf", List.of("model", "model.safetensors", "model-ema", "model-ema.safetensors"),
                        List.of()),
                Arguments.of("train-lora-kohya.conf", List.of("lora.safetensors", "lora/pytorch_lora_weights.safetensors"),
                        List.of()),
                Arguments.of("train-three-kingdoms.conf", List.of("model", "model-ema", "model-ema.safetensors"), List.of()));
    }

    @ParameterizedTest
    @MethodSource("recipes")
    void runsOnTheTinyModel(String recipe, List<String> exports, List<String> more) throws Exception {
        Path output = dir.resolve(recipe.replace(".conf", ""));
        List<String> args = new ArrayList<>(List.of("--config", CONF.resolve(recipe).toString()));
        for (String set : overrides(output, more)) {
            args.add("--set");
            args.add(set);
        }
        assertThat(new TrainCommand().run(args)).isZero();

        for (String export : exports) {
            assertThat(output.resolve(export)).as(recipe).exists();
        }
        if (recipe.equals("train-lora-kohya.conf")) { // LoRA on the text encoder too, as the recipe asks
            assertThat(tensors(output.resolve("lora.safetensors"), "lora_te_")).isPositive();
            assertThat(tensors(output.resolve("lora.safetensors"), "lora_unet_")).isPositive();
        }
        assertThat(output.resolve("checkpoints").resolve("checkpoint-2")).isDirectory();
        Path metrics = output.resolve("metrics");
        assertThat(metrics.resolve(LeaderMetrics.LOSS_PLOT)).isRegularFile();
        String csv;
        try (Stream<Path> files = Files.list(metrics)) {
            csv = Files.readString(files.filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow());
        }
        assertThat(csv).contains("\n1,").contains("\n2,").contains(",loss,").contains(",lr,").contains(",grad_norm,")
                .contains(",peak_memory_gib,").contains(",samples_per_second,");
        BufferedImage grid = ImageIO.read(output.resolve("validation").resolve("step-2.png").toFile());
        assertThat(grid.getWidth() % 64).isZero();
        assertThat(grid.getHeight() % 64).isZero();
    }

    /** The recipe as written, on the tiny model and dataset, for two steps, sampling with two steps. */
    private static List<String> overrides(Path output, List<String> more) {
        List<String> sets = new ArrayList<>(List.of(
                "sdspark.train.model=" + Hocon.quote(TrainingFixtures.TINY),
                "sdspark.train.dataset=" + Hocon.quote(dataset),
                "sdspark.train.output=" + Hocon.quote(output),
                "sdspark.train.steps=2",
                "sdspark.train.lr-warmup-steps=0",
                "sdspark.train.loader.threads=1",
                "sdspark.train.validation.steps=2"));
        sets.addAll(more);
        return sets;
    }

    static long tensors(Path file, String prefix) throws IOException {
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            return st.tensors().keySet().stream().filter(k -> k.startsWith(prefix)).count();
        }
    }
}
