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

class BenchCaptionCommandTest {
    private static final Path TINY_BLIP = Path.of("..", "model", "src", "test", "resources", "fixtures", "blip", "tiny-blip");

    @Test
    void timesTheTinyModelAndPrintsOneJsonLine() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(new BenchCaptionCommand().run(List.of("--model", TINY_BLIP.toString(), "--batch", "2",
                    "--new-tokens", "3", "--warmup", "0", "--steps", "1", "--beams", "2"))).isZero();
        } finally {
            System.setOut(stdout);
        }
        JsonNode line = new ObjectMapper().readTree(captured.toString(StandardCharsets.UTF_8).strip());
        assertThat(line.get("images_per_second").asDouble()).isPositive();
        assertThat(line.get("new_tokens").asInt()).isEqualTo(3);
        assertThat(line.get("peak_rss_gib").asDouble()).isPositive();
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        BenchCaptionCommand command = new BenchCaptionCommand();
        assertThatThrownBy(() -> command.run(List.of("--batch", "0"))).isInstanceOf(UsageError.class).hasMessageContaining("--batch");
        assertThatThrownBy(() -> command.run(List.of("--model", "no/such/folder")))
                .isInstanceOf(UsageError.class).hasMessageContaining("no/such/folder");
        assertThat(command.help()).contains("--reference", "--fp16", "images_per_second");
    }
}
