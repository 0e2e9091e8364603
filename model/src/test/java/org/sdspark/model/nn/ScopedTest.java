package org.sdspark.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class ScopedTest {

    @Test
    void aBlockLeavesOnlyItsResultBehindAndBackwardStillReachesItsInput() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3}, new Shape(3));
            x.setRequiresGradient(true);
            int before = m.getManagedArrays().size();
            NDArray y;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                // (x * x + x) * x: the intermediates are freed with the block, autograd keeps what it saved
                y = Scoped.forward(x, () -> x.mul(x).add(x).mul(x));
                assertThat(m.getManagedArrays()).hasSize(before + 1).contains(x, y);
                collector.backward(y.sum());
            }
            assertThat(y.toFloatArray()).containsExactly(2, 12, 36);
            // d/dx (x^3 + x^2) = 3x^2 + 2x
            assertThat(x.getGradient().toFloatArray()).containsExactly(5, 16, 33);
        }
    }
}
