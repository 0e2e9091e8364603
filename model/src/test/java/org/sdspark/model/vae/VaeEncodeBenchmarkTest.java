package org.sdspark.model.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class VaeEncodeBenchmarkTest {

    @Test
    void timesEncodingABatchAndReportsOneJsonLine() throws Exception {
        VaeConfig tiny = new VaeConfig(3, 3, 4, List.of(8, 16), 1, 4, "silu", 0.18215, null, true, true, true, null);
        VaeEncodeBenchmark.Settings settings = new VaeEncodeBenchmark.Settings(null, 2, 32, false, 1, 1, null);
        VaeEncodeBenchmark.Result result;
        try (VaeImageEncoder encoder = VaeImageEncoder.random(tiny, Device.cpu(), DataType.FLOAT32)) {
            result = VaeEncodeBenchmark.run(encoder, Device.cpu(), settings);
        }
        String line = result.toJson();
        assertThat(line).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("impl").asText()).isEqualTo("sdspark");
        assertThat(json.get("device").asText()).isEqualTo("cpu()");
        assertThat(json.get("batch").asInt()).isEqualTo(2);
        assertThat(json.get("resolution").asInt()).isEqualTo(32);
        assertThat(json.get("dtype").asText()).isEqualTo("float32");
        assertThat(json.get("images_per_s").asDouble()).isPositive();
        assertThat(json.get("peak_gib").isNull()).as("no GPU memory on the CPU").isTrue();
    }

    @Test
    void aReferenceGetsTheSameSettingsAndIsComparedByRatios() {
        VaeEncodeBenchmark.Settings settings = new VaeEncodeBenchmark.Settings(Path.of("sd15"), 16, 512, true, 20, 5, Path.of("ref.py"));
        assertThat(settings.referenceArguments()).containsExactly("--batch", "16", "--resolution", "512", "--steps", "20",
                "--warmup", "5", "--fp16", "--model", "sd15");
        var sdspark = new VaeEncodeBenchmark.Result("sdspark", "gpu(0)", 16, 512, "float16", 20, 90, 6.0);
        var diffusers = new VaeEncodeBenchmark.Result("diffusers", "cuda", 16, 512, "float16", 20, 100, 5.0);
        assertThat(VaeEncodeBenchmark.Comparison.of(sdspark, diffusers))
                .isEqualTo(new VaeEncodeBenchmark.Comparison(0.9, 1.2));
        assertThat(VaeEncodeBenchmark.stableDiffusion().blockOutChannels()).containsExactly(128, 256, 512, 512);
        assertThatThrownBy(() -> new VaeEncodeBenchmark.Settings(null, 1, 500, false, 20, 5, null)).hasMessageContaining("multiple of 8");
    }
}
