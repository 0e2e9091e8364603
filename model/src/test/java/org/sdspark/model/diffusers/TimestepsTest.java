package org.sdspark.model.diffusers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class TimestepsTest {

    // sin/cos of t * 10000^(-i / (half - shift)), computed here in double
    private static double[] expected(double t, int dim, boolean flip, double shift) {
        int half = dim / 2;
        double[] out = new double[dim];
        for (int i = 0; i < half; i++) {
            double arg = t * Math.exp(-Math.log(10000) * i / (half - shift));
            out[flip ? i + half : i] = Math.sin(arg);
            out[flip ? i : i + half] = Math.cos(arg);
        }
        return out;
    }

    @Test
    void sinusoidsMatchTheFormulaComputedByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(new long[] {0, 1, 7, 999});
            for (boolean flip : new boolean[] {true, false}) {
                for (double shift : new double[] {0, 1}) {
                    float[] emb = new Timesteps(8, flip, shift).embed(t).toFloatArray();
                    for (int row = 0; row < 4; row++) {
                        double[] want = expected(new double[] {0, 1, 7, 999}[row], 8, flip, shift);
                        for (int j = 0; j < 8; j++) {
                            // float32 arguments near 1000 carry ~3e-5 of rounding
                            assertThat((double) emb[row * 8 + j]).as("t row %d col %d flip %s shift %s", row, j, flip, shift)
                                    .isCloseTo(want[j], offset(1e-4));
                        }
                    }
                }
            }
        }
    }

    @Test
    void flippedStartsWithCosinesAndOddWidthsArePaddedWithZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] emb = new Timesteps(5, true, 0).embed(m.create(new float[] {0f})).toFloatArray();
            assertThat(emb).containsExactly(1f, 1f, 0f, 0f, 0f);
        }
    }
}
