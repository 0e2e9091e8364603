package org.sdspark.jobs.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sdspark.jobs.UsageError;

class GenerateCommandTest {
    // the committed tiny pipeline of the model module (tests run in spark-jobs/)
    private static final Path FIXTURES = Path.of("..", "model", "src", "test", "resources", "fixtures");
    private static final Path TINY = FIXTURES.resolve("tiny-sd");

    @TempDir
    Path dir;

    @Test
    void generatesPngsGridAndParametersOnTheTinyPipeline() throws Exception {
        Path out = dir.resolve("gen");
        int code = new GenerateCommand().run(List.of("--model", TINY.toString(), "--prompt", "a photo of sks dog",
                "--steps", "2", "--seed", "5", "--num-images", "2", "--scheduler", "euler-a", "--out", out.toString()));
        assertThat(code).isZero();
        BufferedImage first = ImageIO.read(out.resolve("000-seed5.png").toFile());
        assertThat(first.getWidth()).isEqualTo(64);
        assertThat(first.getHeight()).isEqualTo(64);
        assertThat(out.resolve("001-seed6.png")).exists();
        assertThat(ImageIO.read(out.resolve("grid.png").toFile()).getWidth()).isEqualTo(128);
        JsonNode json = new ObjectMapper().readTree(out.resolve("generation.json").toFile());
        assertThat(json.get("scheduler").asText()).isEqualTo("euler-a");
        assertThat(json.get("steps").asInt()).isEqualTo(2);
        assertThat(json.get("negative_prompt").asText()).isEmpty();
        assertThat(json.get("model").asText()).isEqualTo(TINY.toAbsolutePath().normalize().toString());
    }

    @Test
    void aSizeWhoseAttentionCannotFitIsRefusedInOneLine() {
        assertThatThrownBy(() -> new GenerateCommand().run(List.of("--model", TINY.toString(), "--prompt", "p",
                "--width", "4096", "--height", "4096", "--out", dir.resolve("out").toString())))
                .isInstanceOf(UsageError.class)
                .hasMessageStartingWith("--width 4096 --height 4096 needs at least ")
                .hasMessageContaining("choose a smaller size").hasMessageNotContaining("\n");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aCheckpointZipRewrittenByAnotherToolIsRefusedNamingFileAndRecord() throws Exception {
        Path ckpt = dir.resolve("v1-5-pruned.ckpt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(ckpt))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(new byte[] {(byte) 0x80, 2, '}', 'q', 0, '.'});
        }
        assertThatThrownBy(() -> new GenerateCommand().run(List.of("--model", ckpt.toString(), "--prompt", "p",
                "--out", dir.resolve("out").toString())))
                .isInstanceOf(UsageError.class)
                .hasMessageStartingWith(ckpt + ": zip record 'archive/data.pkl' is compressed")
                .hasMessageContaining("rewritten by another tool");
    }

    /** Samplers by A1111 label or diffusers class name; generation.json records the sampler they resolved to. */
    @Test
    void samplersGoByTheNamesUsersKnowAndAreRecorded() throws Exception {
        for (List<String> scheduler : List.of(List.of("--scheduler", "DPM++ 2M SDE Karras"),
                List.of("--scheduler", "DDIMScheduler", "--eta", "0.5"))) {
            Path out = dir.resolve(scheduler.get(1).replace(' ', '_'));
            List<String> args = new ArrayList<>(List.of("--model", TINY.toString(), "--prompt", "a dog", "--steps", "1",
                    "--width", "32", "--height", "32", "--seed", "1", "--out", out.toString()));
            args.addAll(scheduler);
            assertThat(new GenerateCommand().run(args)).isZero();
            JsonNode json = new ObjectMapper().readTree(out.resolve("generation.json").toFile());
            assertThat(json.get("scheduler").asText()).isEqualTo(scheduler.size() == 2 ? "dpmpp-2m-sde-karras" : "ddim");
            assertThat(json.get("eta").asDouble()).isEqualTo(scheduler.size() == 2 ? 0 : 0.5);
        }
    }

    /**
     * A training .ckpt (zip format) holds the tiny pipeline's tensors: the same image as the folder;
     * its EMA weights give another. The legacy-format fp16 .ckpt holds what diffusers' fp16 variant
     * folder holds: the same image as that folder, found without --variant.
     */
    @Test
    void generatesFromCheckpointsAndVariantsAsFromTheFolderOfTheSameWeights() throws Exception {
        Path ckpt = FIXTURES.resolve("ckpt/tiny-sd-ema.ckpt");
        Path legacy = FIXTURES.resolve("ckpt/tiny-sd-ema-fp16-legacy.ckpt");
        byte[] folder = generate(List.of("--model", TINY.toString()), "folder");
        assertThat(generate(List.of("--model", ckpt.toString(), "--config", TINY.toString()), "ckpt")).isEqualTo(folder);
        byte[] ema = generate(List.of("--model", ckpt.toString(), "--config", TINY.toString(), "--ema"), "ema");
        assertThat(ema).isNotEqualTo(folder);
        byte[] variant = generate(List.of("--model", FIXTURES.resolve("tiny-sd-fp16").toString()), "variant");
        assertThat(variant).isNotEqualTo(folder);
        assertThat(generate(List.of("--model", legacy.toString(), "--config", TINY.toString()), "legacy")).isEqualTo(variant);
        assertThat(generate(List.of("--model", legacy.toString(), "--config", TINY.toString(), "--ema"), "legacy-ema"))
                .isNotEqualTo(variant).isNotEqualTo(ema);
    }

    @Test
    void aCheckpointWhosePickleCallsOsSystemIsRefusedNamingTheCall() {
        Path planted = FIXTURES.resolve("ckpt/planted-os-system.ckpt");
        assertThatThrownBy(() -> new GenerateCommand().run(List.of("--model", planted.toString(), "--config", TINY.toString(),
                "--prompt", "p", "--out", dir.resolve("out").toString())))
                .isInstanceOf(UsageError.class).hasMessageContaining(planted.toString())
                .hasMessageContaining("refused").hasMessageContaining("posix.system").hasMessageContaining("ran nothing");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    private byte[] generate(List<String> model, String name) throws Exception {
        List<String> args = new ArrayList<>(model);
        args.addAll(List.of("--prompt", "a photo of sks dog", "--steps", "1", "--width", "32", "--height", "32", "--seed", "3",
                "--out", dir.resolve(name).toString()));
        assertThat(new GenerateCommand().run(args)).isZero();
        return Files.readAllBytes(dir.resolve(name).resolve("000-seed3.png"));
    }

    @Test
    void generatesFromAFolderWhoseTokenizerIsTokenizerJsonOnly() throws Exception {
        Path transformers5 = copyOfTiny();
        Files.delete(transformers5.resolve("tokenizer/vocab.json"));
        Files.delete(transformers5.resolve("tokenizer/merges.txt"));
        Path out = dir.resolve("gen");
        int code = new GenerateCommand().run(List.of("--model", transformers5.toString(), "--prompt", "a photo of sks dog",
                "--steps", "1", "--seed", "5", "--out", out.toString()));
        assertThat(code).isZero();
        assertThat(out.resolve("000-seed5.png")).exists();
    }

    @Test
    void badValuesFailBeforeLoadingNamingTheOption() {
        List<String> base = List.of("--model", TINY.toString(), "--prompt", "p", "--out", dir.toString());
        assertUsage(base, List.of("--width", "100"), "--width must be a multiple of 8, got 100");
        assertUsage(base, List.of("--height", "-8"), "--height must be a positive integer");
        assertUsage(base, List.of("--scheduler", "plms"), "--scheduler must be one of ddim, euler, euler-karras");
        assertUsage(base, List.of("--scheduler", "plms"), "got 'plms'");
        assertUsage(base, List.of("--scheduler", "Euler a", "--eta", "0.5"), "--eta is DDIM's noise");
        assertUsage(base, List.of("--eta", "2"), "--eta must be a number in [0, 1]");
        assertUsage(base, List.of("--guidance", "lots"), "--guidance must be a number, got 'lots'");
        assertUsage(base, List.of("--seed", "-1"), "--seed must be in 0..2147483647");
        assertUsage(base, List.of("--steps", "0"), "--steps must be a positive integer");
        assertThatThrownBy(() -> GenerateOptions.parse(List.of("--prompt", "p", "--out", "x")))
                .isInstanceOf(UsageError.class).hasMessageContaining("--model is required");
        assertThatThrownBy(() -> GenerateOptions.parse(List.of("--model", dir.resolve("nope").toString(), "--prompt", "p",
                "--out", "x"))).isInstanceOf(UsageError.class).hasMessageContaining("--model").hasMessageContaining("nope")
                .hasMessageContaining("does not exist");
    }

    @Test
    void modelThatDoesNotLoadIsOneMessageNamingTheFile() throws Exception {
        Path single = TINY.resolveSibling("tiny-sd.safetensors");
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(single), 2_000_000));
        assertThatThrownBy(() -> new GenerateCommand().run(List.of("--model", cut.toString(), "--config", TINY.toString(),
                "--prompt", "p", "--out", dir.resolve("out").toString())))
                .isInstanceOf(UsageError.class).hasMessageContaining(cut.toString()).hasMessageContaining("truncated");
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
        "unet/config.json                  | \"layers_per_block\": 2,       | \"layers_per_block\": 2, \"attention_typo\": 1, | 'attention_typo'",
        "vae/config.json                   | \"latent_channels\": 4,        | \"latent_channels\": \"four\",               | 'latent_channels'",
        "text_encoder/config.json          | \"num_hidden_layers\": 3,      | \"num_hidden_layers\": \"three\",            | 'num_hidden_layers'",
        "scheduler/scheduler_config.json   | \"beta_schedule\": \"scaled_linear\", | \"beta_schedule\": \"cosine\",         | 'beta_schedule'",
        "tokenizer/tokenizer_config.json   | \"model_max_length\": 77,       | \"model_max_length\": \"long\",               | 'model_max_length'",
        "unet/config.json                  | \"layers_per_block\": 2,       | \"layers_per_block\": 2 \"oops\",            | not valid JSON",
        "text_encoder/config.json          | \"num_hidden_layers\": 3,      | \"num_hidden_layers\": 3,,                   | not valid JSON",
        "tokenizer/tokenizer_config.json   | \"model_max_length\": 77,       | \"model_max_length\": ]                       | not valid JSON",
    })
    void aMalformedComponentConfigIsOneLineNamingFileAndKey(String file, String original, String broken, String key)
            throws Exception {
        Path model = copyOfTiny();
        Path config = model.resolve(file);
        String text = Files.readString(config);
        assertThat(text).contains(original);
        Files.writeString(config, text.replace(original, broken));
        assertThatThrownBy(() -> new GenerateCommand().run(List.of("--model", model.toString(), "--prompt", "p",
                "--steps", "1", "--out", dir.resolve("out").toString())))
                .isInstanceOf(UsageError.class)
                .hasMessageStartingWith(config.toString())
                .hasMessageContaining(key)
                .hasMessageNotContaining("\n");
    }

    @Test
    void lorasAndEmbeddingsChangeTheImageAndAreRecorded() throws Exception {
        List<String> base = List.of("--model", TINY.toString(), "--prompt", "a photo of <cat-toy> in <my-style>", "--steps", "2",
                "--seed", "3");
        Path plain = dir.resolve("plain");
        Path adapted = dir.resolve("adapted");
        Path lora = FIXTURES.resolve("lora/peft.safetensors");
        Path locon = FIXTURES.resolve("lora/locon-kohya.safetensors");
        Path catToy = FIXTURES.resolve("embeddings/learned_embeds.safetensors");
        Path style = FIXTURES.resolve("embeddings/sdsk-style.safetensors");
        assertThat(new GenerateCommand().run(concat(base, "--out", plain.toString()))).isZero();
        assertThat(new GenerateCommand().run(concat(base, "--out", adapted.toString(), "--lora", lora + ":0.7", "--lora",
                locon.toString(), "--embedding", catToy.toString(), "--embedding", style + ":<my-style>"))).isZero();
        assertThat(Files.readAllBytes(adapted.resolve("000-seed3.png"))).isNotEqualTo(Files.readAllBytes(plain.resolve("000-seed3.png")));
        JsonNode json = new ObjectMapper().readTree(adapted.resolve("generation.json").toFile());
        assertThat(json.get("loras").toString()).isEqualTo("[{\"file\":\"" + lora + "\",\"scale\":0.7},{\"file\":\"" + locon
                + "\",\"scale\":1.0}]");
        assertThat(json.get("embeddings").get(1).get("tokens").toString()).isEqualTo("[\"<my-style>\",\"<my-style>_1\",\"<my-style>_2\"]");
        assertThat(new ObjectMapper().readTree(plain.resolve("generation.json").toFile()).get("loras")).isEmpty();
    }

    @Test
    void adapterFilesThatAreMissingMisnamedOrForSomethingElseAreOneMessage() {
        List<String> base = List.of("--model", TINY.toString(), "--prompt", "p", "--out", dir.resolve("out").toString());
        Path lora = FIXTURES.resolve("lora/peft.safetensors");
        Path embedding = FIXTURES.resolve("embeddings/learned_embeds.safetensors");
        assertUsage(base, List.of("--lora", "nope.safetensors:0.5"), "--lora nope.safetensors:0.5: no such file (FILE[:SCALE])");
        assertUsage(base, List.of("--lora", lora + ":strong"), "the scale 'strong' is not a number");
        assertUsage(base, List.of("--embedding", embedding + ":"), "the token after ':' is empty");
        assertThatThrownBy(() -> new GenerateCommand().run(concat(base, "--lora", embedding.toString())))
                .isInstanceOf(UsageError.class).hasMessageContaining(embedding.toString()).hasMessageContaining("is not a LoRA file")
                .hasMessageContaining("use --embedding");
        assertThatThrownBy(() -> new GenerateCommand().run(concat(base, "--embedding", lora.toString())))
                .isInstanceOf(UsageError.class).hasMessageContaining(lora.toString())
                .hasMessageContaining("is not a textual inversion embedding");
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void flagsAreFlagsAndValuesStayValues() {
        GenerateOptions o = GenerateOptions.parse(List.of("--fp16", "--model", TINY.toString(), "--prompt", "--v-prediction",
                "--out", dir.toString()));
        assertThat(o.fp16()).isTrue();
        assertThat(o.load().vPrediction()).isFalse();
        assertThat(o.prompt()).isEqualTo("--v-prediction");
    }

    @Test
    void helpDocumentsEveryOption() {
        String help = new GenerateCommand().help();
        for (String option : GenerateOptions.WITH_VALUE) {
            assertThat(help).as(option).contains(option);
        }
        for (String flag : GenerateOptions.FLAGS) {
            assertThat(help).as(flag).contains(flag);
        }
    }

    private Path copyOfTiny() throws IOException {
        Path copy = dir.resolve("tiny-sd");
        try (Stream<Path> walk = Files.walk(TINY)) {
            for (Path p : walk.toList()) {
                Path target = copy.resolve(TINY.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return copy;
    }

    private static void assertUsage(List<String> base, List<String> extra, String message) {
        List<String> args = new ArrayList<>(base);
        args.addAll(extra);
        assertThatThrownBy(() -> GenerateOptions.parse(args)).isInstanceOf(UsageError.class).hasMessageContaining(message);
    }
}
