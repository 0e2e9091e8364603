package org.sdspark.prep.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sdspark.prep.TestImages;
import org.sdspark.prep.image.ImageDecoder;
import org.sdspark.prep.image.ImageProbe;

class PerceptualHashTest {

    /** The hash as prep computes it: from a reduced JPEG decode, or the full decode of other formats. */
    private static long hashOf(byte[] encoded) throws IOException {
        return PerceptualHash.of(ImageDecoder.luma(encoded, ImageProbe.probe(encoded)));
    }

    @Test
    void resizedAndReencodedCopiesStayWithinTheDefaultDistance() throws IOException {
        for (long seed = 1; seed <= 5; seed++) {
            BufferedImage photo = TestImages.photo(800, 600, seed);
            long original = hashOf(TestImages.jpeg(photo, 0.95f));
            long smaller = hashOf(TestImages.jpeg(TestImages.resized(photo, 560, 420), 0.6f));
            long png = hashOf(TestImages.encode(TestImages.resized(photo, 1000, 750), "png"));
            assertThat(Hamming.distance(original, smaller)).as("seed %d resized", seed).isLessThanOrEqualTo(4);
            assertThat(Hamming.distance(original, png)).as("seed %d png", seed).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void differentPicturesAreFarApart() throws IOException {
        long[] hashes = new long[8];
        for (int i = 0; i < hashes.length; i++) hashes[i] = hashOf(TestImages.jpeg(TestImages.photo(640, 480, 100 + i), 0.9f));
        for (int i = 0; i < hashes.length; i++) {
            for (int j = i + 1; j < hashes.length; j++) {
                assertThat(Hamming.distance(hashes[i], hashes[j])).as("%d vs %d", i, j).isGreaterThan(8);
            }
        }
    }

    @Test
    void bandsShareAKeyWheneverHashesAreWithinTheDistance() {
        Random r = new Random(7);
        for (int d = 0; d <= 10; d++) {
            for (int trial = 0; trial < 200; trial++) {
                long a = r.nextLong();
                long b = a;
                int flips = r.nextInt(d + 1);
                for (int k = 0; k < flips; k++) b ^= 1L << r.nextInt(64);
                long[] ka = PerceptualHash.bands(a, d);
                long[] kb = PerceptualHash.bands(b, d);
                assertThat(ka).hasSize(d + 1);
                assertThat(Arrays.stream(ka).anyMatch(k -> Arrays.stream(kb).anyMatch(x -> x == k)))
                        .as("d=%d a=%x b=%x", d, a, b).isTrue();
            }
        }
    }

    @Test
    void bandKeysOfDifferentBandsNeverCollide() {
        long[] keys = PerceptualHash.bands(0L, 4);
        assertThat(Arrays.stream(keys).distinct().count()).isEqualTo(5);
        assertThatThrownBy(() -> PerceptualHash.bands(0L, 64)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hammingCountsDifferingBits() {
        assertThat(Hamming.distance(0b1011L, 0b0001L)).isEqualTo(2);
        assertThat(Hamming.distance(-1L, 0L)).isEqualTo(64);
    }
}
