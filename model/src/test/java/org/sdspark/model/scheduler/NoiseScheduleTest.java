package org.sdspark.model.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import org.junit.jupiter.api.Test;

class NoiseScheduleTest {
    private final NoiseSchedule sd15 = NoiseSchedule.of(Sd15.config());

    @Test
    void scaledLinearBetasRunFromBetaStartToBetaEndLinearlyInTheirSquareRoot() {
        double[] b = sd15.betas();
        assertThat(b).hasSize(1000);
        assertThat(b[0]).isCloseTo(0.00085, within(1e-10));
        assertThat(b[999]).isCloseTo(0.012, within(1e-9));
        double rootStep = (Math.sqrt(0.012) - Math.sqrt(0.00085)) / 999;
        assertThat(Math.sqrt(b[500]) - Math.sqrt(b[499])).isCloseTo(rootStep, within(1e-8));
    }

    @Test
    void linearBetasHaveConstantSteps() {
        double[] b = NoiseSchedule.of(SchedulerConfig.parse("{\"beta_schedule\": \"linear\"}", "t.json")).betas();
        // float32 values, as diffusers' tables
        assertThat(b[0]).isEqualTo((float) 0.0001);
        assertThat(b[999]).isEqualTo((float) 0.02);
        assertThat(b[700] - b[699]).isCloseTo((0.02 - 0.0001) / 999, withinPercentage(0.1));
    }

    @Test
    void cosineBetasFollowAlphaBarAndAreCapped() {
        double[] b = NoiseSchedule.of(SchedulerConfig.parse("{\"beta_schedule\": \"squaredcos_cap_v2\"}", "t.json")).betas();
        double alphaBar0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        double alphaBar1 = Math.pow(Math.cos((0.001 + 0.008) / 1.008 * Math.PI / 2), 2);
        assertThat(b[0]).isCloseTo(1 - alphaBar1 / alphaBar0, within(1e-9));
        assertThat(b[999]).isCloseTo(0.999, within(1e-6));
    }

    @Test
    void alphasCumprodIsTheRunningProductOfOneMinusBeta() {
        double[] b = sd15.betas();
        assertThat(sd15.alphaCumprod(0)).isCloseTo(1 - 0.00085, within(1e-7));
        assertThat(sd15.alphaCumprod(1)).isCloseTo((1 - b[0]) * (1 - b[1]), within(1e-7));
        // SD 1.5's sigma range as k-diffusion reports it: sigma_min 0.0292, sigma_max 14.6146
        assertThat(sd15.sigma(0)).isCloseTo(0.029168, within(1e-5));
        assertThat(sd15.sigma(999)).isCloseTo(14.6146, within(1e-3));
    }

    @Test
    void snrFallsMonotonicallyWithTheTimestep() {
        // 1 − alpha-bar_0 is tiny, so alpha-bar_0's float32 rounding shows here (relative 1e-4)
        assertThat(sd15.snr(0)).isCloseTo((1 - 0.00085) / 0.00085, withinPercentage(0.01));
        for (int t = 1; t < 1000; t++) {
            assertThat(sd15.snr(t)).as("snr(%d)", t).isLessThan(sd15.snr(t - 1));
        }
        assertThat(sd15.snr(999)).isCloseTo(1 / (14.6146 * 14.6146), within(1e-5));
    }

    @Test
    void sigmaIsInterpolatedBetweenTrainingTimesteps() {
        assertThat(sd15.sigmaAt(10.5)).isCloseTo((sd15.sigma(10) + sd15.sigma(11)) / 2, within(1e-12));
        assertThat(sd15.sigmaAt(999)).isEqualTo(sd15.sigma(999));
        assertThatThrownBy(() -> sd15.sigmaAt(999.5)).hasMessageContaining("outside 0..999");
        assertThatThrownBy(() -> sd15.alphaCumprod(1000)).hasMessageContaining("outside 0..999");
    }
}
