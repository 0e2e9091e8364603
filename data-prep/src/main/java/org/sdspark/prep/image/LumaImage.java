package org.sdspark.prep.image;

import java.awt.image.BufferedImage;

/** 8-bit luminance (Rec. 601 luma, JPEG's Y) of an image or of a reduced-size decode of it, row-major. */
public record LumaImage(int width, int height, byte[] pixels) {

    public LumaImage {
        if (width <= 0 || height <= 0 || pixels.length != width * height) {
            throw new IllegalArgumentException(width + "x" + height + " with " + pixels.length + " pixels");
        }
    }

    /** Luma of an RGB image with the integer Rec. 601 weights (299, 587, 114) / 1000, rounded. */
    public static LumaImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] luma = new byte[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                luma[y * w + x] = (byte) ((299 * ((p >> 16) & 0xFF) + 587 * ((p >> 8) & 0xFF) + 114 * (p & 0xFF) + 500) / 1000);
            }
        }
        return new LumaImage(w, h, luma);
    }

    public int at(int x, int y) {
        return pixels[y * width + x] & 0xFF;
    }

    /** This image turned upright for an EXIF orientation (1 returns this). */
    public LumaImage oriented(int orientation) {
        int[] source = ExifOrientation.sourceIndices(orientation, width, height);
        if (source == null) return this;
        byte[] turned = new byte[pixels.length];
        for (int i = 0; i < turned.length; i++) turned[i] = pixels[source[i]];
        boolean swap = ExifOrientation.swapsSides(orientation);
        return new LumaImage(swap ? height : width, swap ? width : height, turned);
    }
}
