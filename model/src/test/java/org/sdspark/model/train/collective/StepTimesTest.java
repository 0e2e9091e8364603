package org.sdspark.model.train.collective;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepTimesTest {

    @Test
    void theLaggardIsTheRankWithTheMostComputeNotTheLongestStep() {
        // every rank's step lasts as long as the slowest one's: the others wait in the all-reduce
        StepTimes times = new StepTimes(new double[] {2.0, 2.0, 2.0, 2.0}, new double[] {0.9, 0.1, 0.9, 0.9});
        assertThat(times.computeSeconds(1)).isEqualTo(1.9);
        assertThat(times.medianComputeSeconds()).isEqualTo(1.1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(times.laggard(0.25)).hasValue(1);
    }

    @Test
    void noLaggardWhenTheRanksAreWithinTheTolerance() {
        StepTimes times = new StepTimes(new double[] {1.0, 1.0}, new double[] {0.2, 0.1});
        assertThat(times.laggard(0.25)).isEmpty();
        assertThat(new StepTimes(new double[] {1.0}, new double[] {0}).laggard(0.25)).isEmpty();
    }
}
