package org.sdspark.model.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class UNetBenchmarkTest {

    @Test
    void timesForwardAndTrainingStepsAndReportsOneJsonLine() throws Exception {
        UNetBenchmark.Settings settings = UNetBenchmark.Settings.parse(List.of("--batch", "2", "--resolution", "64", "--steps", "1", "--warmup", "1"));
        UNetBenchmark.Result result = UNetBenchmark.run(UNetModelTest.tiny(false), Device.cpu(), settings);
        String line = result.toJson();
        assertThat(line).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("device").asText()).isEqualTo("cpu()");
        assertThat(json.get("batch").asInt()).isEqualTo(2);
        assertThat(json.get("resolution").asInt()).isEqualTo(64);
        assertThat(json.get("dtype").asText()).isEqualTo("float32");
        assertThat(json.get("steps").asInt()).isEqualTo(1);
        assertThat(json.get("impl").asText()).isEqualTo("sdspark");
        assertThat(json.get("forward_samples_per_s").asDouble()).isPositive();
        assertThat(json.get("train_samples_per_s").asDouble()).isPositive();
        assertThat(json.get("peak_train_gib").isNull()).as("no GPU memory on the CPU").isTrue();
    }

    @Test
    void aReferenceGetsTheSameShapesAndIsComparedByRatios() {
        UNetBenchmark.Settings settings = UNetBenchmark.Settings.parse(
                List.of("--batch", "8", "--fp16", "--steps", "30", "--reference", "ref.py"));
        assertThat(settings.reference()).isEqualTo(Path.of("ref.py"));
        assertThat(settings.shapeArguments())
                .containsExactly("--batch", "8", "--resolution", "512", "--steps", "30", "--warmup", "5", "--fp16");

        UNetBenchmark.Result sdspark = new UNetBenchmark.Result("sdspark", "gpu(0)", 8, 512, "float16", 30, 100, 60, 12.0);
        UNetBenchmark.Result diffusers = new UNetBenchmark.Result("diffusers", "cuda", 8, 512, "float16", 30, 80, 50, 10.0);
        UNetBenchmark.Comparison ratios = UNetBenchmark.Comparison.of(sdspark, diffusers);
        assertThat(ratios.trainSpeedRatio()).isEqualTo(1.2);
        assertThat(ratios.forwardSpeedRatio()).isEqualTo(1.25);
        assertThat(ratios.peakMemoryRatio()).isEqualTo(1.2);
        assertThat(UNetBenchmark.Comparison.of(sdspark, new UNetBenchmark.Result("diffusers", "cpu", 8, 512, "float16", 30, 80, 50, null))
                .peakMemoryRatio()).isNull();
    }

    @Test
    void float16RunsAndBadOptionsAreNamed() {
        UNetBenchmark.Settings half = UNetBenchmark.Settings.parse(List.of("--resolution", "32", "--fp16", "--warmup", "0"));
        UNetBenchmark.Settings quick = UNetBenchmark.Settings.parse(List.of("--resolution", "32", "--fp16", "--warmup", "0", "--steps", "1"));
        assertThat(half).isEqualTo(new UNetBenchmark.Settings(1, 32, true, 20, 0, false, null));
        assertThat(UNetBenchmark.run(UNetModelTest.tiny(true), Device.cpu(), quick).dtype()).isEqualTo("float16");
        assertThatThrownBy(() -> UNetBenchmark.Settings.parse(List.of("--resolution", "500")))
                .hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> UNetBenchmark.Settings.parse(List.of("--batch")))
                .hasMessageContaining("--batch needs a value");
        assertThatThrownBy(() -> UNetBenchmark.Settings.parse(List.of("--bf16")))
                .hasMessageContaining("unknown option --bf16");
    }
}
