package org.sdspark.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdspark.model.testing.Fixtures;

/** `bench train` at the tiny UNet's shapes on the CPU: both methods step, LoRA trains a small share of the weights. */
class TrainStepBenchmarkTest {

    @Test
    void timesFullAndLoraStepsWithTheirOptimizer() {
        TrainStepBenchmark.Settings s = TrainStepBenchmark.Settings.parse(List.of("--resolution", "64", "--batch", "2",
                "--unet-config", Fixtures.path("tiny-sd").resolve("unet/config.json").toString()));
        TrainStepBenchmark.Result full = TrainStepBenchmark.run(TrainStepBenchmark.Method.FULL, s, Device.cpu());
        TrainStepBenchmark.Result lora = TrainStepBenchmark.run(TrainStepBenchmark.Method.LORA, s, Device.cpu());
        assertThat(full.samplesPerSecond()).isPositive().isFinite();
        assertThat(lora.samplesPerSecond()).isPositive().isFinite();
        assertThat(full.trainedParameters()).isGreaterThan(200_000);
        assertThat(lora.trainedParameters()).isPositive().isLessThan(full.trainedParameters() / 10);
        assertThat(full.method()).isEqualTo("full");
        assertThat(full.dtype()).isEqualTo("float32");
        assertThat(s.referenceArguments(TrainStepBenchmark.Method.LORA)).containsSequence("--method", "lora")
                .contains("--unet-config");
    }

    @Test
    void keepsAnEmaWhenAsked() {
        TrainStepBenchmark.Settings s = TrainStepBenchmark.Settings.parse(List.of("--resolution", "32", "--ema", "--method", "full",
                "--unet-config", Fixtures.path("tiny-sd").resolve("unet/config.json").toString()));
        TrainStepBenchmark.Result full = TrainStepBenchmark.run(TrainStepBenchmark.Method.FULL, s, Device.cpu());
        assertThat(full.ema()).isTrue();
        assertThat(full.samplesPerSecond()).isPositive().isFinite();
        assertThat(s.referenceArguments(TrainStepBenchmark.Method.FULL)).contains("--ema");
        assertThat(TrainStepBenchmark.Settings.parse(List.of()).referenceArguments(TrainStepBenchmark.Method.FULL))
                .doesNotContain("--ema");
    }

    @Test
    void refusesFewerThanTwentyTimedOrFiveWarmUpSteps() {
        assertThatThrownBy(() -> TrainStepBenchmark.Settings.parse(List.of("--steps", "10"))).hasMessageContaining("steps >= 20");
        assertThatThrownBy(() -> TrainStepBenchmark.Settings.parse(List.of("--warmup", "2"))).hasMessageContaining("warmup >= 5");
        assertThatThrownBy(() -> TrainStepBenchmark.Settings.parse(List.of("--method", "dora"))).hasMessageContaining("full, lora, both");
    }
}
