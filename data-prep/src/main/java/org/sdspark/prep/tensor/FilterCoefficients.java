package org.sdspark.prep.tensor;

/**
 * Pillow's {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} for the outputs
 * {@code [from, to)} of a resize from {@code inSize} to {@code outSize} along one axis: output i
 * reads inputs {@code first[i] .. first[i] + count[i] - 1} with fixed-point weights
 * {@code weights[i * taps ...]} (22 fractional bits). Computing only a window's outputs gives the
 * very numbers Pillow computes for them, because each output's weights depend on its index alone.
 */
final class FilterCoefficients {
    static final int PRECISION_BITS = 32 - 8 - 2;

    final int[] first;
    final int[] count;
    final int[] weights;
    final int taps;

    private FilterCoefficients(int[] first, int[] count, int[] weights, int taps) {
        this.first = first;
        this.count = count;
        this.weights = weights;
        this.taps = taps;
    }

    static FilterCoefficients of(ResampleFilter filter, int inSize, int outSize, int from, int to) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support() * filterScale;
        int taps = (int) Math.ceil(support) * 2 + 1;
        int n = to - from;
        int[] first = new int[n];
        int[] count = new int[n];
        int[] weights = new int[n * taps];
        double[] k = new double[taps];
        double inverse = 1.0 / filterScale;
        for (int i = 0; i < n; i++) {
            int xx = from + i;
            double center = (xx + 0.5) * scale;
            // (int) truncates toward zero like Pillow's C cast; both ends are clamped after
            int xmin = Math.max(0, (int) (center - support + 0.5));
            int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
            double sum = 0.0;
            for (int x = 0; x < xmax; x++) {
                k[x] = filter.weight((x + xmin - center + 0.5) * inverse);
                sum += k[x];
            }
            for (int x = 0; x < xmax; x++) {
                double w = sum != 0.0 ? k[x] / sum : k[x];
                weights[i * taps + x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
            }
            first[i] = xmin;
            count[i] = xmax;
        }
        return new FilterCoefficients(first, count, weights, taps);
    }

    /** First input index any output of the window reads. */
    int lowest() {
        return first[0];
    }

    /** One past the last input index any output of the window reads. */
    int highest() {
        int last = first.length - 1;
        return first[last] + count[last];
    }

    /** Pillow's {@code clip8}: drop the fraction of a rounded fixed-point sum, clamp to a byte. */
    static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
