package org.sdspark.prep.image;

import java.io.IOException;
import javax.imageio.ImageReader;

/**
 * Reads format, dimensions and orientation from the image header without decoding pixels, so
 * that a decompression bomb (a small file claiming a huge canvas) is caught before any
 * allocation. JPEG headers are read by {@link JpegStructure}, others by ImageIO. For GIF and
 * other multi-frame formats the first frame's size is used.
 */
public final class ImageProbe {
    private ImageProbe() {}

    public static ProbeResult probe(byte[] bytes) throws IOException {
        ImageFormat format = ImageFormat.sniff(bytes)
                .orElseThrow(() -> new IOException("not a recognised image signature"));
        if (format == ImageFormat.JPEG) return jpeg(bytes);
        ImageReader reader = Readers.open(bytes);
        try {
            return sized(format, reader.getWidth(0), reader.getHeight(0), ExifOrientation.NORMAL);
        } catch (RuntimeException e) {
            // plugins signal malformed headers with unchecked exceptions too
            throw new IOException("unreadable header: " + e, e);
        } finally {
            Readers.close(reader);
        }
    }

    private static ProbeResult jpeg(byte[] bytes) throws IOException {
        JpegStructure.Header h = JpegStructure.header(bytes);
        if (h.width() < 0) throw new IOException("unreadable header: no frame header (SOFn) before the image data");
        return sized(ImageFormat.JPEG, h.width(), h.height(), h.orientation());
    }

    private static ProbeResult sized(ImageFormat format, int width, int height, int orientation) throws IOException {
        if (width <= 0 || height <= 0) throw new IOException("header gives size " + width + "x" + height);
        boolean swap = ExifOrientation.swapsSides(orientation);
        return new ProbeResult(format.code(), swap ? height : width, swap ? width : height, orientation);
    }
}
