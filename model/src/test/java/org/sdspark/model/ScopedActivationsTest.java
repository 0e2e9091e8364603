package org.sdspark.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.sdspark.model.blip.BlipForConditionalGeneration;
import org.sdspark.model.generation.GenerationSettings;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.testing.Fixtures;

/**
 * A forward pass leaves nothing in the model's own manager: an activation that lands there (DJL
 * gives a result its first operand's manager, a weight's if the weight comes first) lives until
 * the model is closed, so a caption or training loop would grow by a whole forward pass per step.
 */
class ScopedActivationsTest {

    @Test
    void stableDiffusionComponentsKeepTheirManagersClean() throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(manager, Fixtures.path("tiny-sd"))) {
            assertLeavesNothing(manager, scope -> pipeline.textEncoder().encode(scope.create(new long[] {0, 5, 2},
                    new Shape(1, 3)), 0));
            assertLeavesNothing(manager, scope -> pipeline.unet().forward(scope.randomNormal(new Shape(2, 4, 8, 8)),
                    scope.create(new float[] {10, 500}), scope.randomNormal(new Shape(2, 77, 32))));
            assertLeavesNothing(manager, scope -> pipeline.vae().decode(pipeline.vae().encode(
                    scope.randomNormal(new Shape(1, 3, 32, 32))).mean()));
        }
    }

    @Test
    void blipCaptioningKeepsItsManagerClean() throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             BlipForConditionalGeneration blip = BlipForConditionalGeneration.load(manager,
                     Fixtures.path("blip/tiny-blip"), DataType.FLOAT32)) {
            int size = blip.config().vision().imageSize();
            for (int beams : new int[] {1, 2}) {
                assertLeavesNothing(manager, scope -> blip.generate(scope.randomNormal(new Shape(2, 3, size, size)), null, null,
                        new GenerationSettings(beams, 4, 0, 5, 1.0, 1.0)));
            }
        }
    }

    private static void assertLeavesNothing(NDManager model, Consumer<NDManager> forward) {
        int before = model.getManagedArrays().size();
        try (NDManager scope = model.newSubManager()) {
            forward.accept(scope);
        }
        assertThat(model.getManagedArrays()).as("arrays left in the model's manager").hasSize(before);
    }
}
