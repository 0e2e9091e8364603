package org.sdspark.jobs.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.UsageError;
import org.sdspark.model.nn.StateDict;

class ConvertCommandTest {
    private static final Path TINY = Path.of("..", "model", "src", "test", "resources", "fixtures", "tiny-sd");

    @TempDir
    Path dir;

    @Test
    void folderToSingleFileAndBackKeepsEveryTensor() throws Exception {
        Path single = dir.resolve("tiny.safetensors");
        Path folder = dir.resolve("tiny-diffusers");
        ConvertCommand convert = new ConvertCommand();
        assertThat(convert.run(List.of("--model", TINY.toString(), "--to", "single-file", "--out", single.toString()))).isZero();
        // no --config: the single file carries its configs
        assertThat(convert.run(List.of("--model", single.toString(), "--to", "diffusers", "--out", folder.toString()))).isZero();

        for (String component : List.of("unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                "text_encoder/model.safetensors")) {
            try (NDManager m = NDManager.newBaseManager();
                 StateDict original = StateDict.load(m, TINY.resolve(component));
                 StateDict back = StateDict.load(m, folder.resolve(component))) {
                Map<String, NDArray> expected = original.tensors();
                assertThat(back.tensors().keySet()).as(component).containsExactlyInAnyOrderElementsOf(expected.keySet());
                expected.forEach((key, tensor) ->
                        assertThat(back.tensors().get(key).contentEquals(tensor)).as(component + " " + key).isTrue());
            }
        }
        assertThat(folder.resolve("model_index.json")).exists();
        assertThat(folder.resolve("tokenizer/vocab.json")).exists();
        assertThat(folder.resolve("tokenizer/tokenizer.json")).hasSameBinaryContentAs(TINY.resolve("tokenizer/tokenizer.json"));
        // the single file gets the same mode as every file of the folder (0644 under the usual umask)
        assertThat(Files.getPosixFilePermissions(single)).isEqualTo(Files.getPosixFilePermissions(folder.resolve("model_index.json")));
    }

    /** A training .ckpt with --ema: the UNet diffusers' own conversion (extract_ema) makes, as safetensors. */
    @Test
    void checkpointWithEmaToDiffusersTakesEachUnetWeightFromItsEmaCopy() throws Exception {
        Path ckpt = TINY.resolveSibling("ckpt").resolve("tiny-sd-ema.ckpt");
        Path folder = dir.resolve("from-ckpt");
        assertThat(new ConvertCommand().run(List.of("--model", ckpt.toString(), "--config", TINY.toString(), "--ema",
                "--to", "diffusers", "--out", folder.toString()))).isZero();
        JsonNode sources = new ObjectMapper().readTree(TINY.resolveSibling("ckpt").resolve("ema-sources.json").toFile());
        try (NDManager m = NDManager.newBaseManager();
             StateDict unet = StateDict.load(m, folder.resolve("unet/diffusion_pytorch_model.safetensors"));
             StateDict file = StateDict.load(m, ckpt)) {
            assertThat(unet.tensors()).hasSize(sources.size());
            sources.fields().forEachRemaining(e -> assertThat(unet.tensors().get(e.getKey())
                    .contentEquals(file.tensors().get(e.getValue().asText()))).as(e.getKey()).isTrue());
        }
    }

    @Test
    void badArgumentsFailBeforeLoadingAndNothingIsOverwritten() throws Exception {
        ConvertCommand convert = new ConvertCommand();
        assertThatThrownBy(() -> convert.run(List.of("--model", TINY.toString(), "--to", "ckpt", "--out", dir.resolve("x").toString())))
                .isInstanceOf(UsageError.class).hasMessageContaining("--to must be diffusers or single-file");
        Path existing = Files.writeString(dir.resolve("mine.safetensors"), "keep me");
        assertThatThrownBy(() -> convert.run(List.of("--model", TINY.toString(), "--to", "single-file", "--out", existing.toString())))
                .isInstanceOf(UsageError.class).hasMessageContaining("exists");
        assertThat(Files.readString(existing)).isEqualTo("keep me");
        assertThatThrownBy(() -> convert.run(List.of("--model", dir.resolve("nope").toString(), "--to", "diffusers", "--out", dir.resolve("y").toString())))
                .isInstanceOf(UsageError.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> convert.run(List.of("--model", TINY.toString(), "--to", "single-file", "--out", dir.resolve("model.ckpt").toString())))
                .isInstanceOf(UsageError.class).hasMessageContaining(".safetensors");
    }
}
