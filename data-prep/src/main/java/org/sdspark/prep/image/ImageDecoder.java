package org.sdspark.prep.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import javax.imageio.ImageReader;

/** Decodes the first frame of an image to 8-bit RGB, compositing any transparency on white. */
public final class ImageDecoder {
    private ImageDecoder() {}

    public static BufferedImage decode(byte[] bytes) throws IOException {
        ImageReader reader = Readers.open(bytes);
        BufferedImage image;
        try {
            image = reader.read(0);
        } catch (RuntimeException e) {
            throw new IOException("cannot decode: " + e, e);
        } finally {
            Readers.close(reader);
        }
        if (image == null) throw new IOException("decoder returned no image");
        return toRgb(image);
    }

    /** Returns {@code image} itself when it already is TYPE_INT_RGB. */
    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) return image;
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }
}
