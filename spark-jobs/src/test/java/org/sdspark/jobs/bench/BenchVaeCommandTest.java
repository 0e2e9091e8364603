package org.sdspark.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdspark.jobs.UsageError;

class BenchVaeCommandTest {
    private static final Path TINY_SD = Path.of("..", "model", "src", "test", "resources", "fixtures", "tiny-sd");

    @Test
    void timesTheTinyVaeAndPrintsOneJsonLine() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(new BenchVaeCommand().run(List.of("--model", TINY_SD.toString(), "--batch", "2", "--resolution", "64",
                    "--warmup", "0", "--steps", "1"))).isZero();
        } finally {
            System.setOut(stdout);
        }
        JsonNode line = new ObjectMapper().readTree(captured.toString(StandardCharsets.UTF_8).strip());
        assertThat(line.get("images_per_s").asDouble()).isPositive();
        assertThat(line.get("resolution").asInt()).isEqualTo(64);
        assertThat(line.get("dtype").asText()).isEqualTo("float32");
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        BenchVaeCommand command = new BenchVaeCommand();
        assertThatThrownBy(() -> command.run(List.of("--warmup", "-1"))).isInstanceOf(UsageError.class)
                .hasMessageContaining("--warmup must be an integer >= 0");
        assertThatThrownBy(() -> command.run(List.of("--resolution", "100"))).isInstanceOf(UsageError.class)
                .hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> command.run(List.of("--model", "no/such/folder")))
                .isInstanceOf(UsageError.class).hasMessageContaining("no/such/folder");
        assertThat(command.help()).contains("--reference", "--fp16", "images_per_s", "bench_vae_encode_reference.py");
    }
}
