package org.sdspark.prep.tensor;

import static org.sdspark.prep.tensor.FilterCoefficients.clip8;

/**
 * Pillow's 8-bit resize ({@code ImagingResample}: a horizontal pass rounded to bytes, then a
 * vertical pass, each skipped when its axis keeps its size), evaluated only inside the crop window
 * that training keeps. The result equals Pillow's {@code img.resize((rw, rh), filter).crop(window)}
 * byte for byte, at the cost of the window rather than of the whole resized image.
 */
final class Resampler {
    private static final int HALF = 1 << (FilterCoefficients.PRECISION_BITS - 1);

    private Resampler() {}

    /**
     * Resizes packed 0xRRGGBB pixels of a {@code width x height} image to
     * {@code resizedWidth x resizedHeight} and returns the {@code cropWidth x cropHeight} window at
     * ({@code left}, {@code top}) of the result, packed the same way, row by row.
     */
    static int[] resizeWindow(int[] pixels, int width, int height, int resizedWidth, int resizedHeight,
                              int left, int top, int cropWidth, int cropHeight, ResampleFilter filter) {
        FilterCoefficients vertical = resizedHeight != height
                ? FilterCoefficients.of(filter, height, resizedHeight, top, top + cropHeight) : null;
        int firstRow = vertical != null ? vertical.lowest() : top;
        int rows = vertical != null ? vertical.highest() - firstRow : cropHeight;
        int[] band = resizedWidth != width
                ? horizontal(pixels, width, firstRow, rows,
                        FilterCoefficients.of(filter, width, resizedWidth, left, left + cropWidth))
                : columns(pixels, width, firstRow, rows, left, cropWidth);
        return vertical != null ? vertical(band, cropWidth, firstRow, vertical) : band;
    }

    /** Rows {@code [firstRow, firstRow + rows)} resampled along x to the window's columns. */
    private static int[] horizontal(int[] in, int width, int firstRow, int rows, FilterCoefficients c) {
        int outWidth = c.first.length;
        int[] out = new int[rows * outWidth];
        for (int y = 0; y < rows; y++) {
            int row = (firstRow + y) * width;
            for (int i = 0; i < outWidth; i++) {
                int r = HALF, g = HALF, b = HALF;
                int base = row + c.first[i];
                int k = i * c.taps;
                for (int x = 0; x < c.count[i]; x++) {
                    int p = in[base + x];
                    int w = c.weights[k + x];
                    r += ((p >> 16) & 0xFF) * w;
                    g += ((p >> 8) & 0xFF) * w;
                    b += (p & 0xFF) * w;
                }
                out[y * outWidth + i] = clip8(r) << 16 | clip8(g) << 8 | clip8(b);
            }
        }
        return out;
    }

    /** Rows of the band (which starts at source row {@code firstRow}) resampled along y. */
    private static int[] vertical(int[] band, int width, int firstRow, FilterCoefficients c) {
        int outHeight = c.first.length;
        int[] out = new int[outHeight * width];
        for (int j = 0; j < outHeight; j++) {
            int start = c.first[j] - firstRow;
            int k = j * c.taps;
            for (int x = 0; x < width; x++) {
                int r = HALF, g = HALF, b = HALF;
                for (int y = 0; y < c.count[j]; y++) {
                    int p = band[(start + y) * width + x];
                    int w = c.weights[k + y];
                    r += ((p >> 16) & 0xFF) * w;
                    g += ((p >> 8) & 0xFF) * w;
                    b += (p & 0xFF) * w;
                }
                out[j * width + x] = clip8(r) << 16 | clip8(g) << 8 | clip8(b);
            }
        }
        return out;
    }

    private static int[] columns(int[] in, int width, int firstRow, int rows, int left, int cropWidth) {
        int[] out = new int[rows * cropWidth];
        for (int y = 0; y < rows; y++) {
            System.arraycopy(in, (firstRow + y) * width + left, out, y * cropWidth, cropWidth);
        }
        return out;
    }
}
