package org.sdspark.prep.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.sdspark.prep.TestImages;
import org.sdspark.prep.filter.Hamming;
import org.sdspark.prep.filter.PerceptualHash;

class ImageDecoderTest {

    @Test
    void theNativeDecoderLoadsOnLinuxX86() {
        assumeThat(Loader.getPlatform()).isEqualTo("linux-x86_64");
        assertThat(NativeJpeg.unavailableReason()).isNull();
        assertThat(NativeJpeg.available()).isTrue();
    }

    @Test
    void reducedNativeDecodeHashesLikeTheFullImageIoDecode() throws IOException {
        assumeThat(NativeJpeg.available()).isTrue();
        int worst = 0;
        for (long seed = 1; seed <= 12; seed++) {
            int w = 300 + (int) (seed * 97 % 900);
            int h = 300 + (int) (seed * 61 % 700);
            byte[] jpeg = TestImages.jpeg(TestImages.photo(w, h, seed), 0.9f);
            ProbeResult probe = ImageProbe.probe(jpeg);
            int r = ImageDecoder.reduction(probe);
            LumaImage reduced = NativeJpeg.luma(jpeg, r);
            assertThat(reduced.width()).isEqualTo((w + r - 1) / r);
            assertThat(reduced.height()).isEqualTo((h + r - 1) / r);
            long full = PerceptualHash.of(LumaImage.of(ImageDecoder.decode(jpeg)));
            worst = Math.max(worst, Hamming.distance(PerceptualHash.of(reduced), full));
        }
        assertThat(worst).isLessThanOrEqualTo(2);
    }

    @Test
    void reductionKeepsTheHashGridFilled() {
        assertThat(ImageDecoder.reduction(new ProbeResult("jpeg", 2048, 1536))).isEqualTo(8);
        assertThat(ImageDecoder.reduction(new ProbeResult("jpeg", 1024, 768))).isEqualTo(4);
        assertThat(ImageDecoder.reduction(new ProbeResult("jpeg", 640, 480))).isEqualTo(2);
        assertThat(ImageDecoder.reduction(new ProbeResult("jpeg", 200, 100))).isEqualTo(1);
    }

    @Test
    void aJpegTheNativeDecoderRefusesIsDecodedByImageIo() throws IOException {
        // libjpeg cannot turn CMYK into luminance; TwelveMonkeys can decode it to RGB
        byte[] cmyk = ImageProbeTest.cmykJpeg();
        LumaImage luma = ImageDecoder.luma(cmyk, ImageProbe.probe(cmyk));
        assertThat(luma.width()).isEqualTo(64);
        assertThat(luma.height()).isEqualTo(48);
    }

    @Test
    void uprightTurnsPixelsAndLumaAlike() throws IOException {
        BufferedImage photo = TestImages.photo(80, 48, 3);
        byte[] jpeg = TestImages.withOrientation(TestImages.jpeg(photo, 0.95f), 6);
        BufferedImage upright = ImageDecoder.decode(jpeg);
        LumaImage luma = LumaImage.of(ImageDecoder.decode(TestImages.jpeg(photo, 0.95f))).oriented(6);
        assertThat(upright.getWidth()).isEqualTo(48);
        assertThat(luma.width()).isEqualTo(48);
        assertThat(LumaImage.of(upright).pixels()).isEqualTo(luma.pixels());
    }
}
