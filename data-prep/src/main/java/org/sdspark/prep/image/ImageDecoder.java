package org.sdspark.prep.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import javax.imageio.ImageReader;

/**
 * Decodes images as they are seen: the first frame, 8-bit RGB, transparency composited on white,
 * turned upright by the EXIF orientation of a JPEG.
 */
public final class ImageDecoder {
    /**
     * Reduced decodes keep at least this many pixels on the short side, four per cell of the
     * perceptual hash's 32x32 grid: with fewer, block means land on the grid coarsely enough to
     * move a hash by 4-6 bits from the full decode's; with 128, by 2 at most.
     */
    private static final int MIN_THUMBNAIL_SIDE = 128;

    private ImageDecoder() {}

    public static BufferedImage decode(byte[] bytes) throws IOException {
        BufferedImage rgb = toRgb(read(bytes));
        boolean jpeg = ImageFormat.sniff(bytes).filter(f -> f == ImageFormat.JPEG).isPresent();
        return jpeg ? upright(rgb, JpegStructure.header(bytes).orientation()) : rgb;
    }

    /**
     * The luminance of the upright image, small enough for hashing but read from every byte of
     * image data, so that a file this accepts decodes whole. JPEGs are decoded by
     * {@link NativeJpeg} in the DCT domain at up to 1/8 of the size; when it is unavailable or
     * refuses the file (CMYK, an unusual colour transform) ImageIO decodes the full image and has
     * the last word, so nothing it reads is lost and its error message is the one reported.
     */
    public static LumaImage luma(byte[] bytes, ProbeResult probe) throws IOException {
        if (probe.format().equals(ImageFormat.JPEG.code()) && NativeJpeg.available()) {
            try {
                return NativeJpeg.luma(bytes, reduction(probe)).oriented(probe.orientation());
            } catch (IOException refused) {
                // ImageIO below decides
            }
        }
        return LumaImage.of(decode(bytes));
    }

    /** Which decoder {@link #luma} uses for JPEGs here, for reports. */
    public static String jpegDecoder() {
        return NativeJpeg.available()
                ? "libjpeg-turbo (native, DCT-domain reduced decoding)"
                : "ImageIO (full decoding; the native decoder is unavailable: " + NativeJpeg.unavailableReason() + ")";
    }

    /** The largest of 8, 4, 2 that keeps the short side at {@link #MIN_THUMBNAIL_SIDE} or more. */
    static int reduction(ProbeResult probe) {
        int shortSide = Math.min(probe.width(), probe.height());
        int r = 8;
        while (r > 1 && (shortSide + r - 1) / r < MIN_THUMBNAIL_SIDE) r /= 2;
        return r;
    }

    private static BufferedImage read(byte[] bytes) throws IOException {
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
        return image;
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

    private static BufferedImage upright(BufferedImage rgb, int orientation) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        int[] source = ExifOrientation.sourceIndices(orientation, w, h);
        if (source == null) return rgb;
        boolean swap = ExifOrientation.swapsSides(orientation);
        BufferedImage turned = new BufferedImage(swap ? h : w, swap ? w : h, BufferedImage.TYPE_INT_RGB);
        int[] from = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
        int[] to = ((DataBufferInt) turned.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < to.length; i++) to[i] = from[source[i]];
        return turned;
    }
}
