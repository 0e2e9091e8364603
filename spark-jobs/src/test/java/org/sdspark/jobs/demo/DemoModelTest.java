package org.sdspark.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.pipeline.TextToImage;

/** The demo's pipeline loads as a diffusers folder, and its VAE keeps an image's colours through a round trip. */
class DemoModelTest {

    @Test
    void aRoundTripThroughTheColourVaeKeepsWhichColourAnImageHas(@TempDir Path dir) throws Exception {
        DemoModel.write(dir, 1);
        try (NDManager m = NDManager.newBaseManager(); StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(m, dir)) {
            TextToImage t2i = new TextToImage(pipeline);
            float[] red = roundTrip(m, pipeline, t2i, new float[] {0.6f, -0.8f, -0.8f});
            float[] blue = roundTrip(m, pipeline, t2i, new float[] {-0.7f, -0.5f, 0.6f});
            System.out.println("red " + java.util.Arrays.toString(red) + " blue " + java.util.Arrays.toString(blue));
            assertThat(red[0] - red[2]).isGreaterThan(0.15f);
            assertThat(blue[2] - blue[0]).isGreaterThan(0.15f);
            NDArray latents = pipeline.vae().encode(m.zeros(new Shape(1, 3, 64, 64))).mean();
            assertThat(latents.getShape()).isEqualTo(new Shape(1, 4, 8, 8));
        }
    }

    /** The mean RGB in [0, 1] of a decoded square: a shape of {@code colour} (in [-1, 1]) on mid grey. */
    private static float[] roundTrip(NDManager m, StableDiffusionPipeline pipeline, TextToImage t2i, float[] colour) {
        float[] pixels = new float[3 * 64 * 64];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    boolean inside = x >= 16 && x < 48 && y >= 16 && y < 48;
                    pixels[(c * 64 + y) * 64 + x] = inside ? colour[c] : 0;
                }
            }
        }
        NDArray latents = pipeline.vae().scale(pipeline.vae().encode(m.create(pixels, new Shape(1, 3, 64, 64))).mean());
        NDArray image = t2i.decode(latents).reshape(3, -1).mean(new int[] {1});
        return image.toFloatArray();
    }
}
