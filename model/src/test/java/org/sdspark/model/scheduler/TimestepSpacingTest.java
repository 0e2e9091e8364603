package org.sdspark.model.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TimestepSpacingTest {

    @Test
    void leadingCountsUpFromZeroAndAddsTheOffset() {
        assertThat(TimestepSpacing.LEADING.integerTimesteps(1000, 10, 1))
                .containsExactly(901, 801, 701, 601, 501, 401, 301, 201, 101, 1);
        assertThat(TimestepSpacing.LEADING.integerTimesteps(1000, 3, 0)).containsExactly(666, 333, 0);
    }

    @Test
    void trailingCountsDownFromTheLastTimestepAndIgnoresTheOffset() {
        assertThat(TimestepSpacing.TRAILING.integerTimesteps(1000, 10, 1))
                .containsExactly(999, 899, 799, 699, 599, 499, 399, 299, 199, 99);
        // 1000, 666.67, 333.33 rounded, minus one
        assertThat(TimestepSpacing.TRAILING.integerTimesteps(1000, 3, 0)).containsExactly(999, 666, 332);
    }

    @Test
    void linspaceSpansTheWholeRangeAndIsFractionalUntilRounded() {
        assertThat(TimestepSpacing.LINSPACE.integerTimesteps(1000, 10, 1))
                .containsExactly(999, 888, 777, 666, 555, 444, 333, 222, 111, 0);
        double[] t = TimestepSpacing.LINSPACE.timesteps(1000, 25, 0);
        assertThat(t[0]).isEqualTo(999);
        assertThat(t[1]).isEqualTo(957.375);
        assertThat(t[24]).isEqualTo(0);
        // 11 points over 0..999 put one at 499.5, which numpy rounds to the even 500
        assertThat(TimestepSpacing.LINSPACE.integerTimesteps(1000, 11, 0))
                .containsExactly(999, 899, 799, 699, 599, 500, 400, 300, 200, 100, 0);
    }

    @Test
    void rejectsMoreStepsThanTrainingTimesteps() {
        assertThatThrownBy(() -> TimestepSpacing.LEADING.timesteps(1000, 1001, 0))
                .hasMessageContaining("1..1000");
        assertThatThrownBy(() -> TimestepSpacing.LEADING.timesteps(1000, 0, 0))
                .hasMessageContaining("got 0");
    }
}
