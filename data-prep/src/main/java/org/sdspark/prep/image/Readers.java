package org.sdspark.prep.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Opens an ImageIO reader positioned on in-memory bytes. */
final class Readers {
    static {
        // The disk cache only slows in-memory decoding and leaves temp files behind on executors.
        ImageIO.setUseCache(false);
        // The plugin registry is filled once per JVM from whatever context class loader first asks;
        // on a Spark executor that may not see the application jar, so TwelveMonkeys (WebP, CMYK
        // JPEG) would be missing. Scanning here runs on the thread that loaded this class.
        ImageIO.scanForPlugins();
    }

    private Readers() {}

    /** A reader bound to a fresh stream over {@code bytes}; disposing the reader is the caller's job. */
    static ImageReader open(byte[] bytes) throws IOException {
        ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes));
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            in.close();
            throw new IOException("no image reader recognises these bytes");
        }
        ImageReader reader = readers.next();
        // seekForwardOnly + ignoreMetadata: first frame only, no metadata trees built
        reader.setInput(in, true, true);
        return reader;
    }

    static void close(ImageReader reader) {
        Object input = reader.getInput();
        reader.dispose();
        if (input instanceof ImageInputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // in-memory stream: nothing to release
            }
        }
    }
}
