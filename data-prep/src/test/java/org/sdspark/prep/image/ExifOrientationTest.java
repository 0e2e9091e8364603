package org.sdspark.prep.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdspark.prep.BucketSettings;
import org.sdspark.prep.FilterSettings;
import org.sdspark.prep.TestImages;
import org.sdspark.prep.bucket.AspectRatioBuckets;
import org.sdspark.prep.bucket.Bucket;
import org.sdspark.prep.filter.Hamming;
import org.sdspark.prep.filter.ImageFacts;
import org.sdspark.prep.filter.PerceptualHash;
import org.sdspark.prep.filter.QualityFilter;
import org.sdspark.prep.filter.Verdict;

/** Orientation 6 and 8 as Pillow's exif_transpose applies them (fixtures and answers made by Pillow). */
class ExifOrientationTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ExifOrientationTest.class.getResourceAsStream("/exif/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void pillowsFixturesComeOutTurnedAsPillowTurnsThem() throws IOException {
        JsonNode answers = new ObjectMapper().readTree(resource("upright.json"));
        for (String name : List.of("orientation-6.jpg", "orientation-8.jpg")) {
            JsonNode expected = answers.get(name);
            byte[] jpeg = resource(name);
            ProbeResult probe = ImageProbe.probe(jpeg);
            assertThat(probe).isEqualTo(new ProbeResult("jpeg", expected.get("width").asInt(),
                    expected.get("height").asInt(), expected.get("orientation").asInt()));

            BufferedImage upright = ImageDecoder.decode(jpeg);
            LumaImage luma = ImageDecoder.luma(jpeg, probe);
            assertThat(upright.getWidth()).isEqualTo(probe.width());
            // the native decoder reads a 64x96 image at 1/2: the thumbnail keeps the upright shape
            assertThat(luma.width() * probe.height()).isEqualTo(luma.height() * probe.width());
            for (var centre : (Iterable<java.util.Map.Entry<String, JsonNode>>) expected.get("centres")::fields) {
                int x = centre.getKey().endsWith("left") ? probe.width() / 4 : 3 * probe.width() / 4;
                int y = centre.getKey().startsWith("top") ? probe.height() / 4 : 3 * probe.height() / 4;
                int rgb = upright.getRGB(x, y);
                int[] want = {centre.getValue().get(0).asInt(), centre.getValue().get(1).asInt(), centre.getValue().get(2).asInt()};
                assertThat(new int[] {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF}).as("%s %s", name, centre.getKey())
                        .satisfies(got -> {
                            for (int c = 0; c < 3; c++) assertThat(Math.abs(got[c] - want[c])).isLessThanOrEqualTo(12);
                        });
                int wantLuma = (299 * want[0] + 587 * want[1] + 114 * want[2]) / 1000;
                int lx = x * luma.width() / probe.width();
                int ly = y * luma.height() / probe.height();
                assertThat(Math.abs(luma.at(lx, ly) - wantLuma)).as("%s %s luma", name, centre.getKey()).isLessThanOrEqualTo(12);
            }
        }
    }

    @Test
    void aPortraitPhoneShotIsSizedHashedAndBucketedUpright() throws IOException {
        BufferedImage sideways = TestImages.photo(1200, 800, 11);
        byte[] phone = TestImages.withOrientation(TestImages.jpeg(sideways, 0.92f), 6);
        byte[] upright = TestImages.jpeg(TestImages.rotatedClockwise(sideways), 0.92f);

        QualityFilter filter = new QualityFilter(new FilterSettings(256, 0.17, 2.0, 89_478_485L, 4, true));
        ImageFacts facts = ((Verdict.Accepted) filter.inspect("phone.jpg", phone, "a dog", true)).facts();
        ImageFacts reference = ((Verdict.Accepted) filter.inspect("upright.jpg", upright, "a dog", true)).facts();
        assertThat(facts.width()).isEqualTo(800);
        assertThat(facts.height()).isEqualTo(1200);
        assertThat(Hamming.distance(facts.perceptualHash(), reference.perceptualHash())).isLessThanOrEqualTo(2);
        assertThat(Hamming.distance(facts.perceptualHash(), PerceptualHash.of(TestImages.rotatedClockwise(sideways))))
                .isLessThanOrEqualTo(3);

        AspectRatioBuckets buckets = AspectRatioBuckets.of(new BucketSettings(true, 512, 256, 1024, 64, false));
        assertThat(buckets.assign(facts.width(), facts.height()).bucket()).isEqualTo(new Bucket(384, 640));
    }

    @Test
    void orientation8TurnsCounterClockwiseAndMalformedExifIsIgnored() throws IOException {
        byte[] jpeg = TestImages.jpeg(TestImages.photo(300, 200, 12), 0.9f);
        assertThat(ImageProbe.probe(TestImages.withOrientation(jpeg, 8))).isEqualTo(new ProbeResult("jpeg", 200, 300, 8));
        assertThat(ImageProbe.probe(TestImages.withOrientation(jpeg, 3))).isEqualTo(new ProbeResult("jpeg", 300, 200, 3));
        assertThat(ImageProbe.probe(TestImages.withOrientation(jpeg, 9))).isEqualTo(new ProbeResult("jpeg", 300, 200, 1));
        assertThat(ImageProbe.probe(jpeg)).isEqualTo(new ProbeResult("jpeg", 300, 200, 1));
    }
}
