package org.sdspark.model.diffusers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class Upsample2DTest {

    @Test
    void nearestDoublesOrStopsOneShortForOddSkipSizes() {
        assertThat(Upsample2D.sourceIndices(3, 6)).containsExactly(0, 0, 1, 1, 2, 2);
        assertThat(Upsample2D.sourceIndices(3, 5)).containsExactly(0, 0, 1, 1, 2);
        assertThat(Upsample2D.sourceIndices(4, 7)).containsExactly(0, 0, 1, 1, 2, 2, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(0f, 6f).reshape(1, 1, 2, 3);
            NDArray up = Upsample2D.nearest(x, 3, 6);
            assertThat(up.getShape().getShape()).containsExactly(1, 1, 3, 6);
            assertThat(up.toFloatArray()).containsExactly(
                    0, 0, 1, 1, 2, 2,
                    0, 0, 1, 1, 2, 2,
                    3, 3, 4, 4, 5, 5);
        }
    }

    @Test
    void theVaeDownsamplerPadsOnlyBottomAndRight() {
        try (NDManager m = NDManager.newBaseManager()) {
            // a 3x3 kernel that reads only its bottom-right tap: output (i, j) = padded input (2i+2, 2j+2)
            float[] k = new float[9];
            k[8] = 1;
            var conv = new org.sdspark.model.nn.Conv2d(m.create(k).reshape(1, 1, 3, 3), m.zeros(new ai.djl.ndarray.types.Shape(1)), 2, 0);
            NDArray x = m.arange(1f, 17f).reshape(1, 1, 4, 4);
            NDArray y = new Downsample2D(conv, true).forward(x);
            assertThat(y.getShape().getShape()).containsExactly(1, 1, 2, 2);
            assertThat(y.toFloatArray()).containsExactly(11f, 0f, 0f, 0f);
        }
    }
}
