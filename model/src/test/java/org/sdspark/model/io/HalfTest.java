package org.sdspark.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfTest {

    @Test
    void everyHalfSurvivesTheRoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float value = Half.toFloat((short) bits);
            if (!Float.isNaN(value)) {
                assertThat(Half.fromFloat(value) & 0xffff).as("half %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void roundsToNearestEvenAndOverflowsToInfinity() {
        assertThat(Half.toFloat(Half.fromFloat(1f / 3))).isEqualTo(0.33325195f);
        assertThat(Half.toFloat(Half.fromFloat(65504f))).isEqualTo(65504f);
        assertThat(Half.toFloat(Half.fromFloat(65519f))).isEqualTo(65504f);
        assertThat(Half.toFloat(Half.fromFloat(65520f))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Half.toFloat(Half.fromFloat(1 + 0x1p-11f))).isEqualTo(1f); // halfway: to even
        assertThat(Half.toFloat(Half.fromFloat(1 + 3 * 0x1p-11f))).isEqualTo(1 + 0x1p-9f);
        assertThat(Half.toFloat(Half.fromFloat(0x1p-25f))).isEqualTo(0f);
        assertThat(Half.toFloat(Half.fromFloat(0x1.8p-25f))).isEqualTo(0x1p-24f);
        assertThat(Half.toFloat(Half.fromFloat(-3 * 0x1p-24f))).isEqualTo(-3 * 0x1p-24f);
        assertThat(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN)))).isTrue();
    }
}
