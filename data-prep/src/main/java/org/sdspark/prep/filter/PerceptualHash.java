package org.sdspark.prep.filter;

import java.awt.image.BufferedImage;
import org.sdspark.prep.image.ImageDecoder;
import org.sdspark.prep.image.LumaImage;

/**
 * 64-bit DCT perceptual hash (pHash): the luminance is box-averaged to 32x32, the 8x8
 * lowest-frequency DCT-II coefficients are taken, and each bit says whether a coefficient lies
 * above their median. Low frequencies survive resizing and re-encoding almost unchanged, so
 * re-saved or rescaled copies land within a few bits, while a difference hash (dHash) reacts
 * to the fine gradients that JPEG re-quantisation shifts. Box averages of a reduced JPEG decode
 * (8x8 block means) are those of the full image up to the bin edges, so the hash of a
 * {@link ImageDecoder#luma} thumbnail lies within a bit or two of the full decode's.
 */
public final class PerceptualHash {
    private static final int SIZE = 32;
    private static final int LOW = 8;
    private static final double[][] COS = cosines();

    private PerceptualHash() {}

    public static long of(BufferedImage image) {
        return of(LumaImage.of(image));
    }

    public static long of(LumaImage image) {
        double[][] grey = shrink(image.width() < SIZE || image.height() < SIZE ? repeated(image) : image);
        double[] coefficients = new double[LOW * LOW];
        for (int v = 0; v < LOW; v++) {
            for (int u = 0; u < LOW; u++) {
                double sum = 0;
                for (int y = 0; y < SIZE; y++) {
                    double row = 0;
                    for (int x = 0; x < SIZE; x++) row += grey[y][x] * COS[u][x];
                    sum += row * COS[v][y];
                }
                coefficients[v * LOW + u] = sum;
            }
        }
        double median = median(coefficients);
        long hash = 0;
        for (int i = 0; i < coefficients.length; i++) {
            if (coefficients[i] > median) hash |= 1L << i;
        }
        return hash;
    }

    /**
     * Band keys for locality-sensitive grouping. The 64 bits are split into
     * {@code maxDistance + 1} contiguous bands; two hashes within {@code maxDistance} bits differ
     * in at most {@code maxDistance} bands, so by pigeonhole they share at least one key. Each key
     * carries its band index in the high 32 bits (bands are at most 32 bits wide), except for
     * {@code maxDistance == 0}, whose single key is the hash itself.
     */
    public static long[] bands(long hash, int maxDistance) {
        if (maxDistance < 0 || maxDistance > 63) {
            throw new IllegalArgumentException("maxDistance must be in 0..63, got " + maxDistance);
        }
        int n = maxDistance + 1;
        if (n == 1) return new long[] {hash};
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int lo = i * 64 / n;
            int hi = (i + 1) * 64 / n;
            long bits = (hash >>> lo) & ((1L << (hi - lo)) - 1);
            keys[i] = ((long) i << 32) | bits;
        }
        return keys;
    }

    /**
     * Mean luma of each of 32x32 equal areas, every pixel weighted by how much of it falls in the
     * area (Pillow's BOX filter). Weighting by area, not by which area a pixel's corner is in,
     * makes the 8x8-block means of a reduced decode average to what the full image does.
     */
    private static double[][] shrink(LumaImage image) {
        int w = image.width();
        int h = image.height();
        double[][] weightX = coverage(w);
        double[][] weightY = coverage(h);
        byte[] pixels = image.pixels();
        double[][] rows = new double[h][SIZE];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = pixels[y * w + x] & 0xFF;
                int first = (int) ((long) x * SIZE / w);
                rows[y][first] += weightX[x][0] * p;
                if (weightX[x][1] > 0) rows[y][first + 1] += weightX[x][1] * p;
            }
        }
        double[][] grid = new double[SIZE][SIZE];
        for (int y = 0; y < h; y++) {
            int first = (int) ((long) y * SIZE / h);
            for (int x = 0; x < SIZE; x++) {
                grid[first][x] += weightY[y][0] * rows[y][x];
                if (weightY[y][1] > 0) grid[first + 1][x] += weightY[y][1] * rows[y][x];
            }
        }
        return grid;
    }

    /**
     * For each of {@code n >= 32} pixels along an axis, the part of it in the first area it
     * touches and the part in the next, each over the area's size, so an area's weights sum to one.
     */
    private static double[][] coverage(int n) {
        double[][] weights = new double[n][2];
        double area = (double) n / SIZE;
        for (int i = 0; i < n; i++) {
            int first = (int) ((long) i * SIZE / n);
            double end = (first + 1) * area;
            double inFirst = Math.min(1.0, end - i);
            weights[i][0] = inFirst / area;
            weights[i][1] = (1.0 - inFirst) / area;
        }
        return weights;
    }

    /** Each pixel repeated enough times that both sides reach 32. */
    private static LumaImage repeated(LumaImage image) {
        int kx = (SIZE + image.width() - 1) / image.width();
        int ky = (SIZE + image.height() - 1) / image.height();
        int w = image.width() * kx;
        int h = image.height() * ky;
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) out[y * w + x] = (byte) image.at(x / kx, y / ky);
        }
        return new LumaImage(w, h, out);
    }

    private static double[][] cosines() {
        double[][] c = new double[LOW][SIZE];
        for (int u = 0; u < LOW; u++) {
            for (int x = 0; x < SIZE; x++) c[u][x] = Math.cos((2 * x + 1) * u * Math.PI / (2 * SIZE));
        }
        return c;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
