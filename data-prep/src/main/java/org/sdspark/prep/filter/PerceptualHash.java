package org.sdspark.prep.filter;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * 64-bit DCT perceptual hash (pHash): the image is box-averaged to 32x32 luminance, the 8x8
 * lowest-frequency DCT-II coefficients are taken, and each bit says whether a coefficient lies
 * above their median. Low frequencies survive resizing and re-encoding almost unchanged, so
 * re-saved or rescaled copies land within a few bits, while a difference hash (dHash) reacts
 * to the fine gradients that JPEG re-quantisation shifts.
 */
public final class PerceptualHash {
    private static final int SIZE = 32;
    private static final int LOW = 8;
    private static final double[][] COS = cosines();

    private PerceptualHash() {}

    public static long of(BufferedImage image) {
        double[][] grey = shrink(image);
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

    private static double[][] shrink(BufferedImage image) {
        BufferedImage src = image;
        if (src.getWidth() < SIZE || src.getHeight() < SIZE) src = upscale(src);
        int w = src.getWidth();
        int h = src.getHeight();
        double[][] sum = new double[SIZE][SIZE];
        long[][] count = new long[SIZE][SIZE];
        int[] binOfX = new int[w];
        for (int x = 0; x < w; x++) binOfX[x] = (int) ((long) x * SIZE / w);
        int[] row = new int[w];
        int[] pixels = src.getType() == BufferedImage.TYPE_INT_RGB
                ? ((DataBufferInt) src.getRaster().getDataBuffer()).getData()
                : null;
        for (int y = 0; y < h; y++) {
            int offset = 0;
            if (pixels == null) {
                src.getRGB(0, y, w, 1, row, 0, w);
            } else {
                offset = y * w;
            }
            int[] line = pixels == null ? row : pixels;
            double[] sumRow = sum[(int) ((long) y * SIZE / h)];
            long[] countRow = count[(int) ((long) y * SIZE / h)];
            for (int x = 0; x < w; x++) {
                int p = line[offset + x];
                // integer Rec. 601 luma weights (299, 587, 114) / 1000
                sumRow[binOfX[x]] += 299 * ((p >> 16) & 0xFF) + 587 * ((p >> 8) & 0xFF) + 114 * (p & 0xFF);
                countRow[binOfX[x]]++;
            }
        }
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) sum[y][x] /= count[y][x];
        }
        return sum;
    }

    private static BufferedImage upscale(BufferedImage image) {
        BufferedImage big = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = big.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, SIZE, SIZE, null);
        } finally {
            g.dispose();
        }
        return big;
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
