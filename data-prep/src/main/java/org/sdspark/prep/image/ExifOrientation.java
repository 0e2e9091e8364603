package org.sdspark.prep.image;

import java.nio.charset.StandardCharsets;

/**
 * The EXIF Orientation tag (0x0112) of IFD0, which says how a camera's pixels must be turned to
 * be seen upright. A phone held upright writes a landscape frame with Orientation 6; Pillow's
 * {@code ImageOps.exif_transpose} and every viewer apply it, so sizes, hashes, buckets and crops
 * are computed on the turned image here too. Malformed EXIF counts as no orientation.
 */
public final class ExifOrientation {
    public static final int NORMAL = 1;
    private static final byte[] EXIF = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
    private static final int ORIENTATION_TAG = 0x0112;
    private static final int SHORT = 3;

    private ExifOrientation() {}

    /** 1..8 from an APP1 payload {@code b[start, end)}; {@link #NORMAL} when it is not EXIF or has no valid tag. */
    static int fromApp1(byte[] b, int start, int end) {
        if (end - start < EXIF.length + 8) return NORMAL;
        for (int i = 0; i < EXIF.length; i++) {
            if (b[start + i] != EXIF[i]) return NORMAL;
        }
        int tiff = start + EXIF.length;
        boolean little;
        if (b[tiff] == 'I' && b[tiff + 1] == 'I') little = true;
        else if (b[tiff] == 'M' && b[tiff + 1] == 'M') little = false;
        else return NORMAL;
        long ifd = tiff + u32(b, tiff + 4, little);
        if (ifd + 2 > end) return NORMAL;
        int entries = u16(b, (int) ifd, little);
        for (int e = 0; e < entries; e++) {
            int at = (int) ifd + 2 + 12 * e;
            if (at + 12 > end) return NORMAL;
            if (u16(b, at, little) == ORIENTATION_TAG) {
                int value = u16(b, at + 8, little);
                return u16(b, at + 2, little) == SHORT && value >= 1 && value <= 8 ? value : NORMAL;
            }
        }
        return NORMAL;
    }

    /** Orientations 5 to 8 turn the image a quarter, swapping width and height. */
    public static boolean swapsSides(int orientation) {
        return orientation >= 5;
    }

    /**
     * For each pixel of the upright image (row-major), the index of the {@code width x height}
     * source pixel it shows, or null for {@link #NORMAL}. The turns are Pillow's exif_transpose:
     * 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse,
     * 8 rotate 90 counter-clockwise.
     */
    static int[] sourceIndices(int orientation, int width, int height) {
        if (orientation == NORMAL) return null;
        int outWidth = swapsSides(orientation) ? height : width;
        int outHeight = swapsSides(orientation) ? width : height;
        int[] source = new int[width * height];
        int i = 0;
        for (int oy = 0; oy < outHeight; oy++) {
            for (int ox = 0; ox < outWidth; ox++) {
                int x;
                int y;
                switch (orientation) {
                    case 2 -> { x = width - 1 - ox; y = oy; }
                    case 3 -> { x = width - 1 - ox; y = height - 1 - oy; }
                    case 4 -> { x = ox; y = height - 1 - oy; }
                    case 5 -> { x = oy; y = ox; }
                    case 6 -> { x = oy; y = height - 1 - ox; }
                    case 7 -> { x = width - 1 - oy; y = height - 1 - ox; }
                    case 8 -> { x = width - 1 - oy; y = ox; }
                    default -> throw new IllegalArgumentException("orientation " + orientation);
                }
                source[i++] = y * width + x;
            }
        }
        return source;
    }

    private static int u16(byte[] b, int at, boolean little) {
        int x = b[at] & 0xFF;
        int y = b[at + 1] & 0xFF;
        return little ? x | (y << 8) : (x << 8) | y;
    }

    private static long u32(byte[] b, int at, boolean little) {
        long hi = u16(b, little ? at + 2 : at, little);
        long lo = u16(b, little ? at : at + 2, little);
        return (hi << 16) | lo;
    }
}
