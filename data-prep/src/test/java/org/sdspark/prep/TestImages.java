package org.sdspark.prep;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.imageio.ImageIO;
import org.sdspark.prep.synthetic.Encoders;

/** Real encoded images for tests. */
public final class TestImages {
    private TestImages() {}

    /** A smooth gradient with a disc and per-pixel noise: photo-like enough for JPEG sizes and hashes. */
    public static BufferedImage photo(int width, int height, long seed) {
        Random r = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new java.awt.GradientPaint(0, 0, new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)),
                width, height, new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256))));
        g.fillRect(0, 0, width, height);
        g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
        g.fillOval(r.nextInt(width / 2), r.nextInt(height / 2), width / 3, height / 3);
        g.dispose();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = image.getRGB(x, y);
                int n = r.nextInt(21) - 10;
                image.setRGB(x, y, (clamp(((p >> 16) & 0xFF) + n) << 16) | (clamp(((p >> 8) & 0xFF) + n) << 8) | clamp((p & 0xFF) + n));
            }
        }
        return image;
    }

    public static BufferedImage resized(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    public static byte[] jpeg(BufferedImage image, float quality) {
        return Encoders.jpeg(image, quality);
    }

    /**
     * {@code jpeg} with an APP1 EXIF block inserted after SOI whose IFD0 holds one Orientation
     * entry, laid out as cameras and Pillow write it (big-endian TIFF header, offset 8).
     */
    public static byte[] withOrientation(byte[] jpeg, int orientation) {
        ByteBuffer app1 = ByteBuffer.allocate(2 + 2 + 6 + 8 + 2 + 12 + 4);
        app1.putShort((short) 0xFFE1).putShort((short) (app1.capacity() - 2));
        app1.put("Exif\0\0".getBytes(StandardCharsets.US_ASCII)).put("MM".getBytes(StandardCharsets.US_ASCII))
                .putShort((short) 42).putInt(8);
        app1.putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1)
                .putShort((short) orientation).putShort((short) 0);
        app1.putInt(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(app1.array());
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A copy of {@code image} turned 90 degrees clockwise. */
    public static BufferedImage rotatedClockwise(BufferedImage image) {
        BufferedImage out = new BufferedImage(image.getHeight(), image.getWidth(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) out.setRGB(image.getHeight() - 1 - y, x, image.getRGB(x, y));
        }
        return out;
    }

    public static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) throw new IOException("no writer for " + format);
        return out.toByteArray();
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
