package org.sdspark.model.pipeline;

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
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationOutputTest {
    @TempDir
    Path dir;

    private static final GenerationSettings SETTINGS =
            new GenerationSettings("a photo", null, 4, 7.5, "ddim", 42, 16, 8, 3, 1, false);

    @Test
    void writesImagesGridAndParameters() throws IOException {
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            images.add(solid(8, 16, i / 2f));
        }
        List<Path> files = GenerationOutput.write(dir, "tiny-sd", SETTINGS, images);
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("000-seed42.png", "001-seed43.png", "002-seed44.png");
        BufferedImage second = ImageIO.read(files.get(1).toFile());
        assertThat(second.getWidth()).isEqualTo(16);
        assertThat(second.getRGB(3, 3) & 0xffffff).isEqualTo(0x808080); // 0.5 * 255 = 127.5 rounds to even 128

        BufferedImage grid = ImageIO.read(dir.resolve("grid.png").toFile());
        assertThat(grid.getWidth()).isEqualTo(2 * 16);
        assertThat(grid.getHeight()).isEqualTo(2 * 8);
        assertThat(grid.getRGB(16 + 1, 1) & 0xffffff).isEqualTo(0x808080); // tile 1: top right
        assertThat(grid.getRGB(1, 8 + 1) & 0xffffff).isEqualTo(0xffffff);  // tile 2: bottom left
        assertThat(grid.getRGB(16 + 1, 8 + 1) & 0xffffff).isZero();        // empty cell

        JsonNode json = new ObjectMapper().readTree(dir.resolve("generation.json").toFile());
        assertThat(json.get("prompt").asText()).isEqualTo("a photo");
        assertThat(json.get("negative_prompt").asText()).isEmpty();
        assertThat(json.get("guidance").asDouble()).isEqualTo(7.5);
        assertThat(json.get("images").get(2).get("seed").asLong()).isEqualTo(44);
    }

    @Test
    void samePixelsGiveSameBytes() throws IOException {
        GenerationOutput.write(dir.resolve("a"), "m", SETTINGS, List.of(solid(8, 16, 0.3f)));
        GenerationOutput.write(dir.resolve("b"), "m", SETTINGS, List.of(solid(8, 16, 0.3f)));
        assertThat(Files.readAllBytes(dir.resolve("b/000-seed42.png")))
                .isEqualTo(Files.readAllBytes(dir.resolve("a/000-seed42.png")));
    }

    @Test
    void roundsLikeNumpyAndClamps() {
        assertThat(RgbImage.toByte(-0.2f)).isZero();
        assertThat(RgbImage.toByte(1.7f)).isEqualTo(255);
        assertThat(RgbImage.toByte(0.5f)).isEqualTo(128);
        assertThat(RgbImage.toByte(1.5f / 255f)).isEqualTo(2);
    }

    @Test
    void settingsRejectBadValuesNamingThem() {
        assertThatThrownBy(() -> new GenerationSettings("p", "", 4, 7.5, "ddim", 0, 60, 64, 1, 1, false))
                .hasMessageContaining("width").hasMessageContaining("60");
        assertThatThrownBy(() -> new GenerationSettings("p", "", 4, 7.5, "plms", 0, 64, 64, 1, 1, false))
                .hasMessageContaining("scheduler").hasMessageContaining("plms");
    }

    private static RgbImage solid(int h, int w, float v) {
        float[] px = new float[h * w * 3];
        java.util.Arrays.fill(px, v);
        return new RgbImage(h, w, px);
    }
}
