package org.sdspark.jobs.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.convert.ConvertCommand;

/**
 * `generate` on the committed tiny SDXL: its diffusers folder, the single file diffusers' SDXL
 * conversion script made of it (with the folder's configs), and the single file `convert` writes
 * (configs in its metadata) give the same PNG bytes.
 */
class XlGenerateCommandTest {
    private static final Path FIXTURES = Path.of("..", "model", "src", "test", "resources", "fixtures");
    private static final Path TINY_XL = FIXTURES.resolve("tiny-sdxl");
    private static final List<String> ARGS = List.of("--prompt", "a photo of sks dog", "--negative-prompt", "blurry",
            "--steps", "2", "--seed", "3", "--scheduler", "euler", "--guidance", "5", "--original-size", "128,96",
            "--crop-top-left", "16,8", "--target-size", "64,64");

    @TempDir
    Path dir;

    @Test
    void folderAndBothSingleFilesGiveTheSameImages() throws Exception {
        Path sdsparkFile = dir.resolve("tiny-sdxl.safetensors");
        assertThat(new ConvertCommand().run(List.of("--model", TINY_XL.toString(), "--to", "single-file",
                "--out", sdsparkFile.toString()))).isZero();
        Path fromFolder = generate(List.of("--model", TINY_XL.toString()), "folder");
        Path fromDiffusersFile = generate(List.of("--model", FIXTURES.resolve("tiny-sdxl.safetensors").toString(),
                "--config", TINY_XL.toString()), "diffusers-file");
        Path fromSdsparkFile = generate(List.of("--model", sdsparkFile.toString()), "sdspark-file");

        BufferedImage image = ImageIO.read(fromFolder.resolve("000-seed3.png").toFile());
        assertThat(image.getWidth()).as("the tiny UNet's native size, sample_size 8 x 8").isEqualTo(64);
        for (String name : List.of("000-seed3.png", "grid.png")) {
            byte[] expected = Files.readAllBytes(fromFolder.resolve(name));
            assertThat(Arrays.equals(Files.readAllBytes(fromDiffusersFile.resolve(name)), expected))
                    .as(name + " from diffusers' single file").isTrue();
            assertThat(Arrays.equals(Files.readAllBytes(fromSdsparkFile.resolve(name)), expected))
                    .as(name + " from sdspark's single file").isTrue();
        }
        JsonNode json = new ObjectMapper().readTree(fromFolder.resolve("generation.json").toFile());
        assertThat(json.get("original_size").toString()).isEqualTo("[128,96]");
        assertThat(json.get("crop_top_left").toString()).isEqualTo("[16,8]");
        assertThat(json.get("target_size").toString()).isEqualTo("[64,64]");
    }

    @Test
    void microConditioningIsCheckedAndOnlyForSdxl() throws Exception {
        List<String> base = List.of("--model", TINY_XL.toString(), "--prompt", "p", "--out", dir.toString());
        assertUsage(base, List.of("--original-size", "1024"), "--original-size must be two integers >= 1 as W,H, got '1024'");
        assertUsage(base, List.of("--target-size", "0,64"), "--target-size must be two integers >= 1 as W,H");
        assertUsage(base, List.of("--crop-top-left", "-1,0"), "--crop-top-left must be two integers >= 0 as X,Y");
        Path sd = FIXTURES.resolve("tiny-sd");
        assertThatThrownBy(() -> new GenerateCommand().run(List.of("--model", sd.toString(), "--prompt", "p",
                "--crop-top-left", "0,64", "--out", dir.resolve("sd").toString())))
                .isInstanceOf(UsageError.class).hasMessageContaining("condition SDXL models")
                .hasMessageContaining(sd.toString());
    }

    private Path generate(List<String> model, String name) throws Exception {
        Path out = dir.resolve(name);
        List<String> args = new ArrayList<>(model);
        args.addAll(ARGS);
        args.addAll(List.of("--out", out.toString()));
        assertThat(new GenerateCommand().run(args)).isZero();
        return out;
    }

    private static void assertUsage(List<String> base, List<String> extra, String message) {
        List<String> args = new ArrayList<>(base);
        args.addAll(extra);
        assertThatThrownBy(() -> GenerateOptions.parse(args)).isInstanceOf(UsageError.class).hasMessageContaining(message);
    }
}
