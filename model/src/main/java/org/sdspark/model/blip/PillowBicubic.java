package org.sdspark.model.blip;

/**
 * Pillow's {@code Image.resize(size, BICUBIC)} of an 8-bit RGB image, bit for bit: separable
 * convolution with the a = -0.5 cubic kernel widened by the downscale factor (antialiasing),
 * coefficients normalised and fixed-point (22 fraction bits), horizontal pass first over the rows
 * the vertical pass will read, each pass rounded and clipped to 8 bits. Like Pillow 12, an image
 * over 100 times taller than wide that shrinks vertically is resized vertically first, in a
 * separate call (Pillow 9 did not).
 */
final class PillowBicubic {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private PillowBicubic() {
    }

    /** {@code rgb} packed 0xRRGGBB, row-major; returns the resized image in the same packing. */
    static int[] resize(int[] rgb, int width, int height, int outWidth, int outHeight) {
        if (height > 100L * width && outHeight < height) {
            return resample(resample(rgb, width, height, width, outHeight), width, outHeight, outWidth, outHeight);
        }
        return resample(rgb, width, height, outWidth, outHeight);
    }

    /** Pillow's ImagingResampleInner. */
    private static int[] resample(int[] rgb, int width, int height, int outWidth, int outHeight) {
        if (width == outWidth && height == outHeight) {
            return rgb.clone();
        }
        Coefficients horizontal = new Coefficients(width, outWidth);
        Coefficients vertical = new Coefficients(height, outHeight);
        int[] image = rgb;
        int rows = height;
        int firstRow = 0;
        if (outWidth != width) {
            firstRow = vertical.min[0];
            int lastRow = vertical.min[outHeight - 1] + vertical.count[outHeight - 1];
            rows = lastRow - firstRow;
            int[] temp = new int[outWidth * rows];
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < outWidth; x++) {
                    temp[y * outWidth + x] = horizontal.apply(image, (y + firstRow) * width, 1, x);
                }
            }
            image = temp;
        }
        if (outHeight == height) {
            return image;
        }
        int[] out = new int[outWidth * outHeight];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                out[y * outWidth + x] = vertical.apply(image, x - firstRow * outWidth, outWidth, y);
            }
        }
        return out;
    }

    private static double filter(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis. */
    private static final class Coefficients {
        final int[] min;
        final int[] count;
        final int[][] weights;

        Coefficients(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            min = new int[outSize];
            count = new int[outSize];
            weights = new int[outSize][];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double[] k = new double[Math.max(xmax, 0)];
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    k[x] = filter((x + xmin - center + 0.5) * ss);
                    ww += k[x];
                }
                int[] fixed = new int[k.length];
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    fixed[x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
                }
                min[xx] = xmin;
                count[xx] = xmax;
                weights[xx] = fixed;
            }
        }

        /** Output sample {@code i} from the pixels at {@code base + (min[i] + j) * stride}. */
        int apply(int[] pixels, int base, int stride, int i) {
            int r = 1 << (PRECISION_BITS - 1);
            int g = r;
            int b = r;
            int[] k = weights[i];
            for (int j = 0; j < count[i]; j++) {
                int p = pixels[base + (min[i] + j) * stride];
                r += ((p >> 16) & 0xff) * k[j];
                g += ((p >> 8) & 0xff) * k[j];
                b += (p & 0xff) * k[j];
            }
            return clip8(r) << 16 | clip8(g) << 8 | clip8(b);
        }

        private static int clip8(int sum) {
            return Math.min(255, Math.max(0, sum >> PRECISION_BITS));
        }
    }
}
