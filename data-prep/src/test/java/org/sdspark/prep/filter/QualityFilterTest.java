package org.sdspark.prep.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.sdspark.prep.FilterSettings;
import org.sdspark.prep.TestImages;
import org.sdspark.prep.image.ImageDecoder;
import org.sdspark.prep.image.ImageProbe;
import org.sdspark.prep.image.ProbeResult;

class QualityFilterTest {
    private static final FilterSettings DEFAULTS = new FilterSettings(256, 0.17, 2.0, 89_478_485L, 4, true);
    private final QualityFilter filter = new QualityFilter(DEFAULTS);

    private Rejection rejection(byte[] bytes) {
        return rejection(bytes, "a caption");
    }

    private Rejection rejection(byte[] bytes, String caption) {
        Verdict v = filter.inspect("x", bytes, caption, true);
        assertThat(v).isInstanceOf(Verdict.Rejected.class);
        return ((Verdict.Rejected) v).rejection();
    }

    @Test
    void acceptsAGoodJpegAndReportsItsFacts() throws IOException {
        byte[] bytes = TestImages.jpeg(TestImages.photo(640, 480, 1), 0.9f);
        Verdict v = filter.inspect("a/b.jpg", bytes, "a caption", true);
        assertThat(v).isInstanceOf(Verdict.Accepted.class);
        ImageFacts f = ((Verdict.Accepted) v).facts();
        assertThat(f.format()).isEqualTo("jpeg");
        assertThat(f.width()).isEqualTo(640);
        assertThat(f.height()).isEqualTo(480);
        assertThat(f.bytes()).isEqualTo(bytes.length);
        assertThat(f.sha256()).hasSize(64).isEqualTo(QualityFilter.sha256(bytes));
    }

    @Test
    void zeroBytesAndUnknownSignatures() {
        assertThat(rejection(new byte[0]).reason()).isEqualTo(Reason.ZERO_BYTES);
        Rejection text = rejection("just some text".getBytes(StandardCharsets.UTF_8));
        assertThat(text.reason()).isEqualTo(Reason.NOT_AN_IMAGE);
        assertThat(text.detail()).isEqualTo("unrecognised signature 0x6a75737420736f6d");
    }

    @Test
    void truncatedJpegAndPngAreTruncatedNotGreyImages() throws IOException {
        BufferedImage photo = TestImages.photo(640, 480, 2);
        byte[] jpeg = TestImages.jpeg(photo, 0.9f);
        byte[] png = TestImages.encode(photo, "png");
        Rejection j = rejection(Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
        assertThat(j.reason()).isEqualTo(Reason.TRUNCATED);
        assertThat(j.detail()).isEqualTo("jpeg ends before its end-of-image marker");
        assertThat(rejection(Arrays.copyOf(png, png.length / 2)).reason()).isEqualTo(Reason.TRUNCATED);
        // cut inside the header: the probe fails and the container check explains why
        assertThat(rejection(Arrays.copyOf(png, 20)).reason()).isEqualTo(Reason.TRUNCATED);
        // ImageIO itself decodes the cut JPEG without complaint, which is why the marker check exists
        assertThat(ImageDecoder.decode(Arrays.copyOf(jpeg, jpeg.length * 2 / 3)).getWidth()).isEqualTo(640);
    }

    @Test
    void truncatedGifBmpAndWebpAreTruncated() throws IOException {
        BufferedImage noise = TestImages.photo(400, 300, 8);
        BufferedImage indexed = new BufferedImage(400, 300, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.createGraphics().drawImage(noise, 0, 0, null);
        byte[] gif = TestImages.encode(indexed, "gif");
        byte[] bmp = TestImages.encode(noise, "bmp");
        assertThat(rejection(Arrays.copyOf(gif, gif.length * 6 / 10)))
                .isEqualTo(new Rejection("x", Reason.TRUNCATED, "gif ends before its trailer"));
        assertThat(rejection(Arrays.copyOf(bmp, 200_000)))
                .isEqualTo(new Rejection("x", Reason.TRUNCATED, "bmp is 200000 bytes, its header declares " + bmp.length));
        // a RIFF header declaring 1000 bytes with only 30 present
        byte[] webp = Arrays.copyOf("RIFF\u00e8\u0003\u0000\u0000WEBPVP8X".getBytes(StandardCharsets.ISO_8859_1), 30);
        assertThat(rejection(webp)).isEqualTo(new Rejection("x", Reason.TRUNCATED, "webp is 30 bytes, its header declares 1008"));
    }

    @Test
    void fullLengthJpegWithGarbageInItsScanIsUndecodableNotTruncated() {
        byte[] jpeg = TestImages.jpeg(TestImages.photo(640, 480, 13), 0.9f);
        byte[] corrupt = jpeg.clone();
        byte[] garbage = new byte[2048];
        new java.util.Random(5).nextBytes(garbage);
        System.arraycopy(garbage, 0, corrupt, corrupt.length / 2, garbage.length);
        Rejection r = rejection(corrupt);
        assertThat(r.reason()).isEqualTo(Reason.UNDECODABLE);
        assertThat(r.detail()).matches("jpeg data is corrupt: marker 0xFF[0-9A-F]{2} at offset \\d+ inside the scan data");
        int offset = Integer.parseInt(r.detail().replaceAll(".* at offset (\\d+) .*", "$1"));
        assertThat(offset).isBetween(corrupt.length / 2, corrupt.length / 2 + garbage.length);

        // a segment running past an end that still carries the end-of-image marker is corrupt too, not cut
        byte[] lying = TestImages.jpeg(TestImages.photo(200, 150, 14), 0.9f);
        assertThat(lying.length).isLessThan(0xFF00);
        int dqt = indexOf(lying, (byte) 0xFF, (byte) 0xDB);
        lying[dqt + 2] = (byte) 0xFF;
        assertThat(rejection(lying)).satisfies(x -> {
            assertThat(x.reason()).isEqualTo(Reason.UNDECODABLE);
            assertThat(x.detail()).contains("past the end-of-image marker");
        });
    }

    private static int indexOf(byte[] b, byte first, byte second) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == first && b[i + 1] == second) return i;
        }
        throw new AssertionError("no marker");
    }

    @Test
    void trailingBytesAfterEndOfImageAreFine() throws IOException {
        byte[] jpeg = TestImages.jpeg(TestImages.photo(400, 300, 3), 0.9f);
        byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 100);
        assertThat(filter.inspect("x", padded, "c", true)).isInstanceOf(Verdict.Accepted.class);
    }

    @Test
    void wellFormedContainerWithGarbagePixelsIsUndecodable() {
        Rejection r = rejection(png(640, 480, garbage(4096)));
        assertThat(r.reason()).isEqualTo(Reason.UNDECODABLE);
        assertThat(r.detail()).startsWith("png ").doesNotContain("null");
    }

    @Test
    void bombIsRejectedFromTheHeaderWithoutDecoding() throws IOException {
        // pixel data is garbage: decoding would fail, so DECOMPRESSION_BOMB proves it was never attempted
        byte[] bomb = png(40_000, 30_000, garbage(64));
        assertThat(ImageProbe.probe(bomb)).isEqualTo(new ProbeResult("png", 40_000, 30_000));
        assertThatThrownBy(() -> ImageDecoder.decode(png(64, 64, garbage(64)))).isInstanceOf(IOException.class);
        Rejection r = rejection(bomb);
        assertThat(r.reason()).isEqualTo(Reason.DECOMPRESSION_BOMB);
        assertThat(r.detail()).isEqualTo("40000x30000 = 1200000000 pixels, max-pixels 89478485");
    }

    @Test
    void sizeCompressionAspectAndCaptionChecksInOrder() throws IOException {
        Rejection small = rejection(TestImages.encode(TestImages.photo(120, 90, 4), "png"));
        assertThat(small).isEqualTo(new Rejection("x", Reason.TOO_SMALL, "120x90, min-side 256"));

        BufferedImage flat = new BufferedImage(1024, 1024, BufferedImage.TYPE_INT_RGB);
        Rejection lowBpp = rejection(TestImages.jpeg(flat, 0.3f));
        assertThat(lowBpp.reason()).isEqualTo(Reason.LOW_BYTES_PER_PIXEL);
        assertThat(lowBpp.detail()).startsWith("1024x1024 in ").endsWith("min-bytes-per-pixel 0.17");

        Rejection wide = rejection(TestImages.encode(TestImages.photo(1600, 400, 5), "png"));
        assertThat(wide).isEqualTo(new Rejection("x", Reason.EXTREME_ASPECT, "1600x400, aspect 4.00, max-aspect 2.0"));

        byte[] good = TestImages.encode(TestImages.photo(512, 512, 6), "png");
        assertThat(rejection(good, null).reason()).isEqualTo(Reason.MISSING_CAPTION);
        assertThat(rejection(good, "  ").reason()).isEqualTo(Reason.MISSING_CAPTION);
        assertThat(filter.inspect("x", good, null, false)).isInstanceOf(Verdict.Accepted.class);
    }

    @Test
    void everyLosslessFormatIsProbedAndDecoded() throws IOException {
        BufferedImage photo = TestImages.photo(300, 260, 7);
        for (String format : new String[] {"png", "bmp", "gif"}) {
            byte[] bytes = TestImages.encode(photo, format);
            assertThat(ImageProbe.probe(bytes)).isEqualTo(new ProbeResult(format, 300, 260));
            assertThat(ImageDecoder.decode(bytes).getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        }
    }

    @Test
    void transparencyIsCompositedOnWhite() throws IOException {
        BufferedImage argb = new BufferedImage(300, 300, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(10, 10, 0xFF0000FF);
        BufferedImage rgb = ImageDecoder.decode(TestImages.encode(argb, "png"));
        assertThat(rgb.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        assertThat(rgb.getRGB(10, 10) & 0xFFFFFF).isEqualTo(0x0000FF);
    }

    @Test
    void reasonCodesAreStableLowerCase() {
        assertThat(Reason.TOO_SMALL.code()).isEqualTo("too_small");
        assertThat(Reason.LOW_BYTES_PER_PIXEL.code()).isEqualTo("low_bytes_per_pixel");
        assertThat(Reason.ofCode("near_duplicate")).isEqualTo(Reason.NEAR_DUPLICATE);
    }

    private static byte[] garbage(int n) {
        byte[] b = new byte[n];
        new java.util.Random(9).nextBytes(b);
        b[0] = 0x07; // not a valid zlib header byte
        return b;
    }

    /** A PNG container (signature, IHDR, one IDAT, IEND, valid CRCs) around arbitrary IDAT bytes. */
    private static byte[] png(int width, int height, byte[] idat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0}).array());
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(type.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
