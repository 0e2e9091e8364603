package org.sdspark.model.vae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/** The latent cache's encoder on the tiny SD VAE of the fixtures, and the identity caches are checked by. */
class VaeImageEncoderTest {
    private static final Path PIPELINE = Fixtures.path("tiny-sd");

    @Test
    void encodesEachImageAndItsMirrorImageAsTheVaeDoesOneByOne() throws IOException {
        int h = 24;
        int w = 40;
        List<float[]> images = List.of(image(h, w, 1), image(h, w, 2), image(h, w, 3));
        try (VaeImageEncoder encoder = VaeImageEncoder.load(PIPELINE, Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = AutoencoderKL.load(m, PIPELINE.resolve("vae"))) {
            List<LatentMoments> latents = encoder.encode(images, h, w, true);
            assertThat(latents).hasSize(6);
            for (int i = 0; i < 6; i++) {
                float[] pixels = i < 3 ? images.get(i) : mirrored(images.get(i - 3), h, w);
                LatentDistribution expected = vae.encode(m.create(pixels, new Shape(1, 3, h, w)));
                LatentMoments actual = latents.get(i);
                assertThat(List.of(actual.channels(), actual.height(), actual.width())).containsExactly(4, h / 8, w / 8);
                Parity.assertClose("cached mean " + i, m.create(actual.mean(), expected.mean().getShape()), expected.mean());
                Parity.assertClose("cached logvar " + i, m.create(actual.logvar(), expected.logvar().getShape()), expected.logvar());
            }
        }
    }

    @Test
    void identityFollowsTheEncoderWeightsNotTheDecoderNorTheFolderLayoutNorTheCast() throws IOException {
        VaeIdentity identity;
        try (VaeImageEncoder pipeline = VaeImageEncoder.load(PIPELINE, Device.cpu(), DataType.FLOAT32);
             VaeImageEncoder folder = VaeImageEncoder.load(PIPELINE.resolve("vae"), Device.cpu(), DataType.FLOAT16)) {
            identity = pipeline.identity();
            assertThat(folder.dataType()).isEqualTo(DataType.FLOAT16);
            assertThat(folder.identity()).isEqualTo(identity);
            assertThat(identity.mismatch(folder.identity())).isNull();
        }
        assertThat(identity.encoderSha256()).hasSize(64);
        assertThat(identity.scalingFactor()).isEqualTo(0.18215);

        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(changed(m, "decoder.conv_in.bias")).isEqualTo(identity);
            VaeIdentity otherEncoder = changed(m, "encoder.down_blocks.1.resnets.0.conv1.weight");
            assertThat(otherEncoder.encoderSha256()).isNotEqualTo(identity.encoderSha256());
            assertThat(identity.mismatch(otherEncoder)).startsWith("encoder weights sha256 " + identity.encoderSha256().substring(0, 12));
            VaeIdentity otherScale = new VaeIdentity(identity.encoderSha256(), 0.13025, null, 4);
            assertThat(identity.mismatch(otherScale)).contains("scaling_factor 0.18215").contains("0.13025");
        }
    }

    /** The fixture VAE's identity after adding a small number to the tensor under {@code key}. */
    private static VaeIdentity changed(NDManager m, String key) throws IOException {
        try (AutoencoderKL original = AutoencoderKL.load(m, PIPELINE.resolve("vae"))) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            original.parameters().forEach((k, v) -> tensors.put(k, k.equals(key) ? v.add(1e-3f) : v.duplicate()));
            try (AutoencoderKL vae = AutoencoderKL.from(original.config(), StateDict.of(m, "changed " + key, tensors))) {
                return VaeIdentity.of(vae);
            }
        }
    }

    private static float[] image(int h, int w, long seed) {
        Random random = new Random(seed);
        float[] pixels = new float[3 * h * w];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat() * 2 - 1;
        }
        return pixels;
    }

    private static float[] mirrored(float[] chw, int h, int w) {
        float[] out = new float[chw.length];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[(c * h + y) * w + x] = chw[(c * h + y) * w + (w - 1 - x)];
                }
            }
        }
        return out;
    }
}
