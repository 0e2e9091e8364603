package org.sdspark.model.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SGD over two segments with their own rate and weight decay, element by element against
 * torch.optim.SGD's recurrence (no dampening): g ← g + wd·p; b ← g on the first step, μ·b + g
 * after; p ← p − lr·(Nesterov ? g + μ·b : b).
 */
class SgdTest {
    private static final int LENGTH = 512;
    private static final List<Segment> SEGMENTS = List.of(new Segment(0, 256, 0.1, 0.01), new Segment(256, 512, 0.03, 0));

    @Test
    void momentumAndNesterovFollowTorchsRecurrence() {
        for (boolean nesterov : new boolean[] {false, true}) {
            for (double momentum : new double[] {0, 0.9}) {
                check(momentum, nesterov && momentum != 0);
            }
        }
    }

    private static void check(double momentum, boolean nesterov) {
        SplittableRandom random = new SplittableRandom(7);
        double[] p = random.doubles(LENGTH, -1, 1).toArray();
        double[] b = new double[LENGTH];
        try (NDManager m = NDManager.newBaseManager(); Sgd sgd = new Sgd(m, LENGTH, momentum, nesterov)) {
            NDArray parameters = m.create(toFloats(p));
            for (int step = 1; step <= 3; step++) {
                double[] g = random.doubles(LENGTH, -1, 1).toArray();
                sgd.step(parameters, m.create(toFloats(g)), SEGMENTS, step);
                for (Segment s : SEGMENTS) {
                    for (int i = (int) s.from(); i < s.to(); i++) {
                        double d = g[i] + s.weightDecay() * p[i];
                        if (momentum != 0) {
                            b[i] = step == 1 ? d : momentum * b[i] + d;
                            d = nesterov ? d + momentum * b[i] : b[i];
                        }
                        p[i] -= s.lr() * d;
                    }
                }
                float[] actual = parameters.toFloatArray();
                for (int i = 0; i < LENGTH; i++) {
                    assertThat((double) actual[i]).as("momentum %s nesterov %s step %d element %d", momentum, nesterov, step, i)
                            .isCloseTo(p[i], within(1e-5));
                }
            }
        }
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
