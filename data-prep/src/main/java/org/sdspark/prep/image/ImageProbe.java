package org.sdspark.prep.image;

import java.io.IOException;
import javax.imageio.ImageReader;

/**
 * Reads format and dimensions from the image header without decoding pixels, so that a
 * decompression bomb (a small file claiming a huge canvas) is caught before any allocation.
 * For GIF and other multi-frame formats the first frame's size is used.
 */
public final class ImageProbe {
    private ImageProbe() {}

    public static ProbeResult probe(byte[] bytes) throws IOException {
        ImageFormat format = ImageFormat.sniff(bytes)
                .orElseThrow(() -> new IOException("not a recognised image signature"));
        ImageReader reader = Readers.open(bytes);
        try {
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (width <= 0 || height <= 0) throw new IOException("header gives size " + width + "x" + height);
            return new ProbeResult(format.code(), width, height);
        } catch (RuntimeException e) {
            // plugins signal malformed headers with unchecked exceptions too
            throw new IOException("unreadable header: " + e, e);
        } finally {
            Readers.close(reader);
        }
    }
}
