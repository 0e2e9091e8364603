package org.sdspark.model.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** diffusers' EMAModel.get_decay by hand. */
class EmaDecayTest {

    @Test
    void firstUpdateCopiesThenDecayRisesToItsCap() {
        EmaDecay plain = EmaDecay.of(0.5);
        assertThat(plain.at(1)).isZero();
        assertThat(plain.at(2)).isCloseTo(2.0 / 11, offset(1e-12));
        assertThat(plain.at(100)).isEqualTo(0.5);
        EmaDecay warm = new EmaDecay(0.9999, 0.1, 3, true, 1, 0.75);
        assertThat(warm.at(4)).isZero(); // update_after_step 3: s = 4 - 3 - 1 = 0
        assertThat(warm.at(5)).isCloseTo(Math.max(0.1, 1 - Math.pow(2, -0.75)), offset(1e-12));
        assertThat(new EmaDecay(0.9999, 0.7, 0, false, 1, 1).at(2)).isEqualTo(0.7);
    }
}
