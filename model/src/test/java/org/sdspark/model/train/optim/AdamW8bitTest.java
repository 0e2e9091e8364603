package org.sdspark.model.train.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bitsandbytes itself cannot run here (no GPU on the fixture host's CPU path), so 8-bit AdamW is
 * held against fp32 AdamW on the same problem: a least-squares fit whose gradients span five
 * decades, 120 steps.
 */
class AdamW8bitTest {

    @Test
    void dynamicMapIsBitsandbytesShape() {
        float[] signed = DynamicMap.codes(true);
        float[] unsigned = DynamicMap.codes(false);
        assertThat(signed).hasSize(256).contains(0f, 1f);
        assertThat(signed[0]).isCloseTo(-0.9928f, org.assertj.core.data.Offset.offset(1e-3f));
        assertThat(unsigned[0]).isZero();
        assertThat(unsigned[255]).isEqualTo(1f);
        for (int i = 1; i < 256; i++) {
            assertThat(signed[i]).isGreaterThanOrEqualTo(signed[i - 1]);
            assertThat(unsigned[i]).isGreaterThan(unsigned[i - 1]);
        }
        assertThat(unsigned[1]).isLessThan(1e-6f); // dense near zero: the smallest decade
    }

    @Test
    void tracksFp32AdamWAndKeepsAQuarterOfItsStateMemory() {
        long n = 2048;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scale = m.arange(0, (int) n, 1, DataType.FLOAT32).div(n).mul(-11.5f).exp(); // 1 .. 1e-5
            NDArray target = m.randomNormal(new Shape(n));
            NDArray fp32 = m.zeros(new Shape(n));
            NDArray int8 = m.zeros(new Shape(n));
            List<Segment> segments = List.of(new Segment(0, n, 3e-2, 1e-2));
            try (AdamW reference = new AdamW(m, n, 0.9, 0.999, 1e-8);
                 AdamW8bit quantised = new AdamW8bit(m, n, 0.9, 0.999, 1e-8)) {
                for (int step = 1; step <= 120; step++) {
                    try (NDManager s = m.newSubManager()) {
                        NDArray g1 = fp32.sub(target).mul(scale);
                        NDArray g2 = int8.sub(target).mul(scale);
                        s.tempAttachAll(g1, g2);
                        reference.step(fp32, g1, segments, step);
                        quantised.step(int8, g2, segments, step);
                    }
                }
                double gap = int8.sub(fp32).norm().getFloat() / fp32.norm().getFloat();
                double progress = fp32.sub(target).norm().getFloat() / target.norm().getFloat();
                System.out.printf("8-bit AdamW vs fp32 after 120 steps: relative gap %.3e (fp32 residual %.3f); state %d vs %d bytes%n",
                        gap, progress, quantised.stateBytes(), reference.stateBytes());
                assertThat(progress).isLessThan(0.9); // it learned something
                assertThat(gap).isLessThan(0.02);
                assertThat(quantised.stateBytes()).isEqualTo(2 * n + 2 * 4 * n / 256);
                assertThat(reference.stateBytes()).isEqualTo(8 * n);
            }
        }
    }
}
