package org.sdspark.model.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class UNetBenchmarkTest {

    @Test
    void timesForwardAndTrainingStepsAndReportsOneJsonLine() throws Exception {
        UNetBenchmark.Settings settings = UNetBenchmark.Settings.parse(List.of("--batch", "2", "--resolution", "64", "--steps", "1"));
        UNetBenchmark.Result result = UNetBenchmark.run(UNetModelTest.tiny(false), Device.cpu(), settings);
        String line = result.toJson();
        assertThat(line).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("device").asText()).isEqualTo("cpu()");
        assertThat(json.get("batch").asInt()).isEqualTo(2);
        assertThat(json.get("resolution").asInt()).isEqualTo(64);
        assertThat(json.get("dtype").asText()).isEqualTo("float32");
        assertThat(json.get("steps").asInt()).isEqualTo(1);
        assertThat(json.get("forward_s_per_sample").asDouble()).isPositive();
        assertThat(json.get("forward_backward_s_per_sample").asDouble()).isPositive();
    }

    @Test
    void float16RunsAndBadOptionsAreNamed() {
        UNetBenchmark.Settings half = UNetBenchmark.Settings.parse(List.of("--resolution", "32", "--fp16", "--warmup", "0"));
        assertThat(half).isEqualTo(new UNetBenchmark.Settings(1, 32, true, 2, 0));
        assertThat(UNetBenchmark.run(UNetModelTest.tiny(true), Device.cpu(), half).dtype()).isEqualTo("float16");
        assertThatThrownBy(() -> UNetBenchmark.Settings.parse(List.of("--resolution", "500")))
                .hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> UNetBenchmark.Settings.parse(List.of("--batch")))
                .hasMessageContaining("--batch needs a value");
        assertThatThrownBy(() -> UNetBenchmark.Settings.parse(List.of("--bf16")))
                .hasMessageContaining("unknown option --bf16");
    }
}
