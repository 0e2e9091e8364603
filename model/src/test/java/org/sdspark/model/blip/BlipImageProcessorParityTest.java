package org.sdspark.model.blip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/** Pillow's bicubic resize and transformers' BlipImageProcessorPil on lossless images of odd sizes. */
class BlipImageProcessorParityTest {
    static final String[] IMAGES = {"img0_53x37.png", "img1_517x301.png", "img2_15x20.png", "img3_384x384.png",
        "img4_9x1.png", "img5_3x700.png"};

    static BufferedImage image(int i) throws IOException {
        return ImageIO.read(Fixtures.path("blip/images/" + IMAGES[i]).toFile());
    }

    @ParameterizedTest(name = "image {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void resizesBitForBitAsPillowAndNormalisesAsTransformers(int i) throws IOException {
        BlipImageProcessor processor = BlipImageProcessor.load(Fixtures.path("blip/tiny-blip"));
        assertThat(processor.height()).isEqualTo(32);
        try (NDManager manager = NDManager.newBaseManager();
             StateDict expected = StateDict.load(manager, Fixtures.path("blip/processor.safetensors"))) {
            Map<String, NDArray> t = expected.tensors();
            BufferedImage image = image(i);
            for (int size : new int[] {32, 384}) {
                BlipImageProcessor sized = new BlipImageProcessor(size, size, processor.rescaleFactor(), processor.mean(),
                        processor.std());
                int[] expectedPixels = t.get("resized" + size + "_" + i).toType(DataType.INT32, false).toIntArray();
                assertThat(Arrays.mismatch(unpack(sized.resize(image)), expectedPixels)).as("first differing value, resized to %d", size)
                        .isEqualTo(-1);
            }
            NDArray pixels = manager.create(processor.preprocess(image), new Shape(3, 32, 32));
            Parity.assertClose(IMAGES[i] + " pixel_values", pixels, t.get("pixel_values_" + i));
            assertThat(pixels.sub(t.get("pixel_values_" + i)).abs().max().getFloat()).isLessThan(1e-6f);

            // With torchvision installed, BlipProcessor.from_pretrained runs the torchvision backend, whose
            // antialiased bicubic differs from Pillow's by at most one 8-bit level.
            float oneLevel = (float) (processor.rescaleFactor() / processor.std()[1]);
            assertThat(pixels.sub(t.get("pixel_values_default_" + i)).abs().max().getFloat()).isLessThan(oneLevel * 1.001f);
        }
    }

    /** Packed 0xRRGGBB to H x W x 3 values. */
    private static int[] unpack(int[] rgb) {
        int[] out = new int[rgb.length * 3];
        for (int i = 0; i < rgb.length; i++) {
            out[3 * i] = (rgb[i] >> 16) & 0xff;
            out[3 * i + 1] = (rgb[i] >> 8) & 0xff;
            out[3 * i + 2] = rgb[i] & 0xff;
        }
        return out;
    }

    static Path folder() {
        return Fixtures.path("blip/tiny-blip");
    }
}
