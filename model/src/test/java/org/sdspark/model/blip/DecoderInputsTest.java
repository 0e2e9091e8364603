package org.sdspark.model.blip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DecoderInputsTest {
    private static final float NO = -Float.MAX_VALUE;

    @Test
    void promptPositionsCountRealTokensAndPaddingSitsAtZero() {
        assertThat(DecoderInputs.promptPositions(new int[][] {{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}}))
                .isDeepEqualTo(new long[][] {{0, 1, 2, 0, 0}, {0, 1, 2, 3, 4}});
    }

    @Test
    void masksAreCausalAndHidePadding() {
        assertThat(DecoderInputs.causalMask(new int[][] {{1, 0, 1}}, 3, 3))
                .containsExactly(0, NO, NO, 0, NO, NO, 0, NO, 0);
        assertThat(DecoderInputs.causalMask(new int[][] {{1, 0, 1, 1}}, 4, 1)).containsExactly(0, NO, 0, 0);
    }
}
