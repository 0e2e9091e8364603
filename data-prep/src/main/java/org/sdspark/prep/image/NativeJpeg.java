package org.sdspark.prep.image;

import static org.bytedeco.leptonica.global.leptonica.L_JPEG_CONTINUE_WITH_BAD_DATA;
import static org.bytedeco.leptonica.global.leptonica.L_JPEG_READ_LUMINANCE;
import static org.bytedeco.leptonica.global.leptonica.L_SEVERITY_NONE;
import static org.bytedeco.leptonica.global.leptonica.pixDestroy;
import static org.bytedeco.leptonica.global.leptonica.pixGetData;
import static org.bytedeco.leptonica.global.leptonica.pixGetDepth;
import static org.bytedeco.leptonica.global.leptonica.pixGetWpl;
import static org.bytedeco.leptonica.global.leptonica.pixReadMemJpeg;
import static org.bytedeco.leptonica.global.leptonica.setMsgSeverity;

import java.io.IOException;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.leptonica.PIX;
import org.bytedeco.leptonica.global.leptonica;

/**
 * libjpeg-turbo as built into Leptonica's JavaCPP preset (Maven Central, natives for
 * linux-x86_64 on the classpath). Decoding at 1/2, 1/4 or 1/8 of the size happens in the DCT
 * domain: at 1/8 each 8x8 block is its DC coefficient, so no inverse transform and no colour
 * conversion run, yet every Huffman code of the file is still read. That is most of the speed
 * of the prep pass. Where the natives cannot load (another OS or CPU, no writable cache for
 * JavaCPP), {@link #available()} is false and callers decode with ImageIO.
 *
 * <p>Like ImageIO and Pillow, corrupt entropy data that libjpeg only warns about still gives an
 * image; structural damage is judged beforehand by {@link JpegStructure}.
 */
final class NativeJpeg {
    private static final String UNAVAILABLE = load();

    private NativeJpeg() {}

    static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why the natives did not load, or null. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    private static String load() {
        try {
            Loader.load(leptonica.class);
            // Leptonica prints every info and error to stderr; failures are reported by the caller.
            setMsgSeverity(L_SEVERITY_NONE);
            return null;
        } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError, a read-only cache, ...
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            System.err.println("sdspark: the native JPEG decoder is not available on " + Loader.getPlatform()
                    + " (" + reason + "); decoding with ImageIO, which is several times slower");
            return reason;
        }
    }

    /** The luminance at 1/{@code reduction} (1, 2, 4 or 8) of the size, before any EXIF turn. */
    static LumaImage luma(byte[] jpeg, int reduction) throws IOException {
        if (!available()) throw new IOException("native JPEG decoder unavailable: " + UNAVAILABLE);
        PIX pix = pixReadMemJpeg(jpeg, jpeg.length, 0, reduction, (int[]) null,
                L_JPEG_READ_LUMINANCE | L_JPEG_CONTINUE_WITH_BAD_DATA);
        if (pix == null) throw new IOException("libjpeg-turbo could not decode it");
        try {
            if (pixGetDepth(pix) != 8) throw new IOException("libjpeg-turbo gave " + pixGetDepth(pix) + " bits per pixel");
            return copy(pix);
        } finally {
            pixDestroy(pix);
        }
    }

    /** Leptonica packs pixels big-endian into 32-bit words: on little-endian hosts byte x sits at x ^ 3. */
    private static LumaImage copy(PIX pix) {
        int w = pix.w();
        int h = pix.h();
        int stride = pixGetWpl(pix) * 4;
        byte[] raw = new byte[stride * h];
        new BytePointer(pixGetData(pix)).capacity(raw.length).get(raw);
        int swizzle = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 3 : 0;
        byte[] luma = new byte[w * h];
        for (int y = 0; y < h; y++) {
            int row = y * stride;
            for (int x = 0; x < w; x++) luma[y * w + x] = raw[row + (x ^ swizzle)];
        }
        return new LumaImage(w, h, luma);
    }
}
