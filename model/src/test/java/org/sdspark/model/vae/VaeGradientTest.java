package org.sdspark.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.GradientCheck;

/**
 * Every parameter gradient of the tiny VAE through encode, sample, scale, unscale and decode in
 * float32, with and without a garbage collection between forward and backward, against the same
 * model in float64.
 */
class VaeGradientTest {

    @ParameterizedTest(name = "gc before backward: {0}")
    @ValueSource(booleans = {false, true})
    void float32GradientsMatchFloat64(boolean gc) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = AutoencoderKL.load(m, Fixtures.path("tiny-sd/vae"));
             AutoencoderKL reference = vae.toType(DataType.FLOAT64)) {
            m.getEngine().setRandomSeed(7);
            NDArray image = m.randomUniform(-1, 1, new Shape(1, 3, 24, 16), DataType.FLOAT64);
            NDArray noise = m.randomNormal(0, 1, new Shape(1, 4, 3, 2), DataType.FLOAT64);
            Map<String, NDArray> expected = GradientCheck.gradients(reference.parameters(), () -> loss(reference, image, noise), false);
            Map<String, NDArray> actual = GradientCheck.gradients(vae.parameters(),
                    () -> loss(vae, image.toType(DataType.FLOAT32, false), noise.toType(DataType.FLOAT32, false)), gc);
            String name = "vae" + (gc ? " after gc" : "");
            GradientCheck.assertClose(name, actual, expected);
        }
    }

    private static NDArray loss(AutoencoderKL vae, NDArray image, NDArray noise) {
        NDArray latents = vae.scale(vae.encode(image).sample(noise));
        return vae.decode(vae.unscale(latents)).sub(image).square().mean();
    }
}
