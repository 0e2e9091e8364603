package org.sdspark.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sdspark.model.testing.Parity;

/**
 * Conv2d's output and its input, weight and bias gradients against the definition computed in
 * float64 in plain Java, for the channel counts of Stable Diffusion's convolutions (1, 3, 4, 8 off
 * oneDNN's block; 320 on it). oneDNN's backward for off-block counts is wrong on some CPUs (AMD
 * Zen 5), so these cases must hold on any CPU.
 */
class Conv2dGradientTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        long[][] channels = {{1, 320}, {320, 1}, {3, 320}, {320, 3}, {4, 320}, {320, 4}, {8, 320}, {320, 8}, {4, 8}, {320, 320}};
        for (long[] c : channels) {
            for (int kernel : new int[] {1, 3}) {
                for (int stride : new int[] {1, 2}) {
                    for (int padding : new int[] {0, 1}) {
                        cases.add(Arguments.of(c[0], c[1], kernel, stride, padding));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}->{1} k{2} s{3} p{4}")
    @MethodSource("cases")
    void gradientsMatchTheDefinitionInFloat64(long in, long out, int kernel, int stride, int padding) {
        Random random = new Random(in * 1000 + out * 10 + kernel + stride + padding);
        Geometry g = new Geometry(2, in, 5, 4, out, kernel, stride, padding);
        double[] x = gaussian(random, g.n * in * g.h * g.w);
        double[] w = gaussian(random, out * in * kernel * kernel);
        double[] b = gaussian(random, out);
        double[] upstream = gaussian(random, g.n * out * g.outH() * g.outW());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray input = floats(m, x, g.n, in, g.h, g.w);
            Conv2d conv = new Conv2d(floats(m, w, out, in, kernel, kernel), floats(m, b, out), stride, padding);
            input.setRequiresGradient(true);
            conv.weight().setRequiresGradient(true);
            conv.bias().setRequiresGradient(true);
            NDArray y;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                y = conv.forward(input);
                collector.backward(y.mul(floats(m, upstream, g.n, out, g.outH(), g.outW())).sum());
            }
            String name = in + "->" + out + " k" + kernel + " s" + stride + " p" + padding;
            assertClose(name + " output", y, m.create(g.forward(x, w, b), y.getShape()));
            assertClose(name + " input grad", input.getGradient(), m.create(g.inputGrad(upstream, w), input.getShape()));
            assertClose(name + " weight grad", conv.weight().getGradient(), m.create(g.weightGrad(upstream, x), conv.weight().getShape()));
            assertClose(name + " bias grad", conv.bias().getGradient(), m.create(g.biasGrad(upstream), new Shape(out)));
        }
    }

    @Test
    void offBlockConvolutionsAreComposedOnlyWhileAutogradRecordsThem() {
        try (NDManager m = NDManager.newBaseManager()) {
            Conv2d convOut = new Conv2d(m.zeros(new Shape(4, 320, 3, 3)), m.zeros(new Shape(4)), 1, 1);
            Conv2d inner = new Conv2d(m.zeros(new Shape(320, 320, 3, 3)), m.zeros(new Shape(320)), 1, 1);
            NDArray x = m.zeros(new Shape(1, 320, 4, 4));
            assertThat(convOut.backwardAvoidsOneDnn(x)).as("not recording").isFalse();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                assertThat(convOut.backwardAvoidsOneDnn(x)).as("nothing requires grad").isFalse();
                convOut.weight().setRequiresGradient(true);
                inner.weight().setRequiresGradient(true);
                assertThat(convOut.backwardAvoidsOneDnn(x)).as("4 output channels").isTrue();
                assertThat(inner.backwardAvoidsOneDnn(x)).as("320 channels").isFalse();
            }
        }
    }

    private static void assertClose(String what, NDArray actual, NDArray expected) {
        assertThat(Parity.relativeError(actual, expected)).as(what + " relative error").isLessThanOrEqualTo(Parity.FP32_TOLERANCE);
    }

    /** Sizes of one convolution and the sums that define it and its gradients. */
    private record Geometry(long n, long in, long h, long w, long out, int k, int stride, int padding) {
        long outH() {
            return (h + 2L * padding - k) / stride + 1;
        }

        long outW() {
            return (w + 2L * padding - k) / stride + 1;
        }

        // y[b,o,p,q] = bias[o] + sum over c,i,j of x[b,c,p*s+i-pad,q*s+j-pad] * w[o,c,i,j]; the
        // gradients are the same sum read from the other side, visited by one loop.
        private void eachTerm(Term term) {
            for (int bi = 0; bi < n; bi++) {
                for (int o = 0; o < out; o++) {
                    for (int p = 0; p < outH(); p++) {
                        for (int q = 0; q < outW(); q++) {
                            int yi = (int) (((bi * out + o) * outH() + p) * outW() + q);
                            for (int c = 0; c < in; c++) {
                                for (int i = 0; i < k; i++) {
                                    for (int j = 0; j < k; j++) {
                                        long row = (long) p * stride + i - padding;
                                        long col = (long) q * stride + j - padding;
                                        if (row >= 0 && row < h && col >= 0 && col < w) {
                                            int xi = (int) (((bi * in + c) * h + row) * w + col);
                                            int wi = (int) (((o * in + c) * k + i) * k + j);
                                            term.accept(yi, xi, wi);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        double[] forward(double[] x, double[] weight, double[] bias) {
            double[] y = new double[(int) (n * out * outH() * outW())];
            for (int yi = 0; yi < y.length; yi++) {
                y[yi] = bias[(int) (yi / (outH() * outW()) % out)];
            }
            eachTerm((yi, xi, wi) -> y[yi] += x[xi] * weight[wi]);
            return y;
        }

        double[] inputGrad(double[] upstream, double[] weight) {
            double[] grad = new double[(int) (n * in * h * w)];
            eachTerm((yi, xi, wi) -> grad[xi] += upstream[yi] * weight[wi]);
            return grad;
        }

        double[] weightGrad(double[] upstream, double[] x) {
            double[] grad = new double[(int) (out * in * k * k)];
            eachTerm((yi, xi, wi) -> grad[wi] += upstream[yi] * x[xi]);
            return grad;
        }

        double[] biasGrad(double[] upstream) {
            double[] grad = new double[(int) out];
            for (int yi = 0; yi < upstream.length; yi++) {
                grad[(int) (yi / (outH() * outW()) % out)] += upstream[yi];
            }
            return grad;
        }
    }

    @FunctionalInterface
    private interface Term {
        void accept(int yi, int xi, int wi);
    }

    private static double[] gaussian(Random random, long size) {
        double[] v = new double[(int) size];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    // float32 copies of the float64 values, in engine memory
    private static NDArray floats(NDManager m, double[] values, long... shape) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return Constants.of(m, f, new Shape(shape));
    }
}
