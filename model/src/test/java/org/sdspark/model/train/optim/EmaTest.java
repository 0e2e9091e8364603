package org.sdspark.model.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The shadow moves by s ← s − (1 − d)(s − w) everywhere, across the chunks it is updated in. */
class EmaTest {

    @Test
    void updatesEveryElementOfABufferLongerThanOneChunk() {
        long length = (1L << 24) * 2 + 7; // the last chunk a short one
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray initial = m.randomUniform(0, 1, new Shape(length));
            NDArray weights = m.ones(new Shape(length));
            try (Ema ema = new Ema(new EmaDecay(0.75, 0, 0, false, 1, 1), initial)) {
                ema.update(weights); // the first update copies (decay 0)
                ema.update(weights.mul(3));
                double d = ema.lastDecay();
                NDArray expected = weights.mul(d).add(weights.mul(3).mul(1 - d));
                assertThat(ema.shadow().sub(expected).abs().max().getFloat()).isCloseTo(0f, offset(1e-6f));
                assertThat(ema.updates()).isEqualTo(2);
            }
        }
    }
}
