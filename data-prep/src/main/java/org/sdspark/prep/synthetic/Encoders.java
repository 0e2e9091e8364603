package org.sdspark.prep.synthetic;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Encodes test images to bytes. WebP is absent: TwelveMonkeys can read it but not write it. */
public final class Encoders {
    static {
        ImageIO.setUseCache(false);
    }

    private Encoders() {}

    public static byte[] jpeg(BufferedImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** PNG, BMP or GIF; GIF gets the image reduced to the default 256-colour palette first. */
    static byte[] lossless(BufferedImage image, String format) {
        BufferedImage source = image;
        if (format.equals("gif")) {
            source = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_INDEXED);
            source.createGraphics().drawImage(image, 0, 0, null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(source, format.toLowerCase(Locale.ROOT), out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] encode(BufferedImage image, String format) {
        return format.equals("jpeg") ? jpeg(image, 0.9f) : lossless(image, format);
    }

    static String extension(String format) {
        return format.equals("jpeg") ? ".jpg" : "." + format;
    }
}
