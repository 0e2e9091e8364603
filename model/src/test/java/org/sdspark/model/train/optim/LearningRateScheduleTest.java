package org.sdspark.model.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;
import org.sdspark.model.train.optim.LearningRateSchedule.Kind;

/** Values of diffusers' formulas worked out by hand (lr 1, 2 warm-up steps, 10 steps). */
class LearningRateScheduleTest {

    private static double at(Kind kind, long step) {
        return LearningRateSchedule.of(kind, 1.0, 2, 10).at(step);
    }

    @Test
    void warmUpRisesFromZeroThenEachKindDecaysByItsFormula() {
        for (Kind kind : new Kind[] {Kind.CONSTANT_WITH_WARMUP, Kind.LINEAR, Kind.COSINE, Kind.COSINE_WITH_RESTARTS, Kind.POLYNOMIAL}) {
            assertThat(at(kind, 0)).as(kind.name()).isZero();
            assertThat(at(kind, 1)).as(kind.name()).isEqualTo(0.5);
            assertThat(at(kind, 2)).as(kind.name()).isCloseTo(1.0, offset(1e-12));
        }
        assertThat(at(Kind.CONSTANT, 0)).isEqualTo(1.0);
        assertThat(at(Kind.CONSTANT_WITH_WARMUP, 9)).isEqualTo(1.0);
        assertThat(at(Kind.LINEAR, 6)).isCloseTo(0.5, offset(1e-12)); // (10 - 6) / 8
        assertThat(at(Kind.LINEAR, 12)).isZero();
        assertThat(at(Kind.COSINE, 6)).isCloseTo(0.5, offset(1e-12)); // half way: cos(pi/2)
        assertThat(at(Kind.COSINE, 10)).isCloseTo(0.0, offset(1e-12));
        // one hard restart over 8 steps: progress 0.5 -> 0.5 (1 + cos(pi/2))
        assertThat(new LearningRateSchedule(Kind.COSINE_WITH_RESTARTS, 1, 2, 10, 2, 1, 1e-7).at(4)).isCloseTo(0.5, offset(1e-12));
        assertThat(new LearningRateSchedule(Kind.COSINE_WITH_RESTARTS, 1, 2, 10, 2, 1, 1e-7).at(6)).isCloseTo(1.0, offset(1e-12));
        assertThat(at(Kind.POLYNOMIAL, 6)).isCloseTo((1 - 1e-7) * 0.5 + 1e-7, offset(1e-12));
        assertThat(at(Kind.POLYNOMIAL, 11)).isCloseTo(1e-7, offset(1e-15));
    }

    @Test
    void polynomialNeedsAnEndBelowTheRate() {
        assertThatThrownBy(() -> new LearningRateSchedule(Kind.POLYNOMIAL, 1e-7, 0, 10, 1, 1, 1e-7))
                .hasMessageContaining("lr_end");
    }
}
