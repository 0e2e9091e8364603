package org.sdspark.prep.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.sdspark.prep.FilterSettings;
import org.sdspark.prep.filter.QualityFilter;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.filter.Verdict;

class ImageProbeTest {

    /** An extended-format WebP that is only a RIFF header and a VP8X chunk declaring the canvas. */
    private static byte[] webpHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(22).put("WEBP".getBytes(StandardCharsets.US_ASCII));
        b.put("VP8X".getBytes(StandardCharsets.US_ASCII)).putInt(10).putInt(0);
        int w = width - 1;
        int h = height - 1;
        b.put((byte) w).put((byte) (w >> 8)).put((byte) (w >> 16)).put((byte) h).put((byte) (h >> 8)).put((byte) (h >> 16));
        return b.array();
    }

    @Test
    void webpDimensionsComeFromTheHeaderThroughTwelveMonkeys() throws IOException {
        assertThat(ImageProbe.probe(webpHeader(20_000, 15_000))).isEqualTo(new ProbeResult("webp", 20_000, 15_000));
        var filter = new QualityFilter(new FilterSettings(256, 0.17, 2.0, 89_478_485L, 4, true));
        Verdict v = filter.inspect("big.webp", webpHeader(20_000, 15_000), "c", true);
        assertThat(((Verdict.Rejected) v).rejection().reason()).isEqualTo(Reason.DECOMPRESSION_BOMB);
    }

    /** A 64x48 four-channel (CMYK) JPEG as Adobe tools write them. */
    static byte[] cmykJpeg() throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 64, 48, 4, null);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) raster.setPixel(x, y, new int[] {0, 255, 255, 0});
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    @Test
    void fourChannelCmykJpegDecodesToRgb() throws IOException {
        byte[] cmyk = cmykJpeg();
        assertThat(ImageProbe.probe(cmyk)).isEqualTo(new ProbeResult("jpeg", 64, 48));
        BufferedImage rgb = ImageDecoder.decode(cmyk);
        assertThat(rgb.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(rgb.getWidth()).isEqualTo(64);
    }

    @Test
    void animatedGifUsesItsFirstFrame() throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(new BufferedImage(300, 200, BufferedImage.TYPE_BYTE_INDEXED), null, null), null);
            writer.writeToSequence(new IIOImage(new BufferedImage(100, 50, BufferedImage.TYPE_BYTE_INDEXED), null, null), null);
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        assertThat(ImageProbe.probe(out.toByteArray())).isEqualTo(new ProbeResult("gif", 300, 200));
        assertThat(ImageDecoder.decode(out.toByteArray()).getWidth()).isEqualTo(300);
    }

    @Test
    void signaturesDecideTheFormatNotFileNames() throws IOException {
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0})).contains(ImageFormat.JPEG);
        assertThat(ImageFormat.sniff("BM".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(ImageFormat.sniff(new byte[0])).isEmpty();
        assertThatThrownBy(() -> ImageProbe.probe("hello".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class).hasMessageContaining("signature");
    }
}
