package org.sdspark.prep.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sdspark.prep.bucket.Bucket;
import org.sdspark.prep.bucket.BucketFit;
import org.sdspark.prep.image.ImageDecoder;

/** Against Pillow 9.4 and torch ops (fixtures and their script: data-prep/src/test/python/resize_fixtures.py). */
class TrainingImageTransformTest {
    private static final String DIR = "/fixtures/resize/";

    record Case(int index, String source, ResampleFilter filter, TrainingCrop crop, String expected, String why) {
        @Override
        public String toString() {
            return "case" + index + " " + filter + " " + source + ": " + why;
        }
    }

    static Stream<Case> losslessCases() {
        return cases().stream().filter(c -> c.source().endsWith(".png"));
    }

    @ParameterizedTest
    @MethodSource("losslessCases")
    void resizeAndCropEqualPillowByteForByte(Case c) throws IOException {
        int[] window = new TrainingImageTransform(c.filter()).window(ImageDecoder.decode(bytes(c.source())), c.crop());

        assertThat(window).containsExactly(pixels(c.expected()));
    }

    @Test
    void flippedAndNormalisedEqualsTorchBitForBit() throws IOException {
        Case c = cases().get(0);
        float[] chw = new TrainingImageTransform(c.filter()).apply(bytes(c.source()), c.crop(), true);

        float[] expected = floats(bytes("case0-flipped-normalised.f32"));
        assertThat(chw).hasSize(3 * 64 * 64).containsExactly(expected);
    }

    /**
     * A JPEG also goes through the decoder: prep's (ImageIO, IJG islow DCT with fancy upsampling)
     * gave exactly Pillow's libjpeg-turbo pixels here; another decoder may round a level or two apart.
     */
    @Test
    void jpegDiffersFromPillowOnlyByDecoderRounding() throws IOException {
        Case c = cases().stream().filter(k -> k.source().endsWith(".jpg")).findFirst().orElseThrow();
        int[] window = new TrainingImageTransform(c.filter()).window(ImageDecoder.decode(bytes(c.source())), c.crop());
        int[] expected = pixels(c.expected());

        long sum = 0;
        int max = 0;
        for (int i = 0; i < window.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                int d = Math.abs(((window[i] >> shift) & 0xFF) - ((expected[i] >> shift) & 0xFF));
                sum += d;
                max = Math.max(max, d);
            }
        }
        double mean = sum / (3.0 * window.length);
        assertThat(mean).as("mean level difference").isLessThan(0.5);
        assertThat(max).as("largest level difference").isLessThanOrEqualTo(8);
    }

    @Test
    void aDecodedSizeThatIsNotTheRecordedOneIsRefused() throws IOException {
        Case c = cases().get(0);
        TrainingCrop swapped = new TrainingCrop(c.crop().height(), c.crop().width(), c.crop().fit());

        assertThatThrownBy(() -> new TrainingImageTransform(ResampleFilter.BILINEAR).apply(bytes(c.source()), swapped, false))
                .hasMessageContaining("decodes to 300x200 but the dataset records 200x300");
    }

    @Test
    void aCropOutsideTheResizedImageIsRefused() {
        assertThatThrownBy(() -> new TrainingCrop(300, 200, new BucketFit(new Bucket(64, 64), 97, 65, 40, 0)))
                .hasMessageContaining("crop 64x64 at (40, 0) does not fit in the resized 97x65");
    }

    @Test
    void filtersAreNamedAsInConfiguration() {
        assertThat(ResampleFilter.of("lanczos")).isEqualTo(ResampleFilter.LANCZOS);
        assertThatThrownBy(() -> ResampleFilter.of("area")).hasMessageContaining("use one of bilinear, bicubic, lanczos");
    }

    private static List<Case> cases() {
        try {
            JsonNode root = new ObjectMapper().readTree(bytes("cases.json"));
            List<Case> cases = new ArrayList<>();
            for (JsonNode n : root.get("cases")) {
                BucketFit fit = new BucketFit(new Bucket(n.get("bucket_width").asInt(), n.get("bucket_height").asInt()),
                        n.get("resized_width").asInt(), n.get("resized_height").asInt(),
                        n.get("crop_left").asInt(), n.get("crop_top").asInt());
                BufferedImage source = ImageDecoder.decode(bytes(n.get("source").asText()));
                cases.add(new Case(cases.size(), n.get("source").asText(), ResampleFilter.of(n.get("filter").asText()),
                        new TrainingCrop(source.getWidth(), source.getHeight(), fit), n.get("expected").asText(),
                        n.get("why").asText()));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] pixels(String name) throws IOException {
        BufferedImage image = ImageDecoder.decode(bytes(name));
        int[] rgb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        for (int i = 0; i < rgb.length; i++) rgb[i] &= 0xFFFFFF;
        return rgb;
    }

    private static float[] floats(byte[] bytes) {
        float[] f = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = TrainingImageTransformTest.class.getResourceAsStream(DIR + name)) {
            if (in == null) throw new IOException("missing test resource " + DIR + name);
            return in.readAllBytes();
        }
    }
}
