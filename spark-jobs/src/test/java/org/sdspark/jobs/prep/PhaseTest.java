package org.sdspark.jobs.prep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sdspark.jobs.SharedSpark;

/** Long steps are never silent: a line at the start, every tick while they last, and at the end. */
class PhaseTest {

    @Test
    void aLongStepSaysItIsAtWorkWithSparksTaskCounts() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
        try (Phase phase = new Phase("find duplicates", spark.statusTracker(), out, Duration.ofMillis(200))) {
            spark.parallelize(List.of(1, 2, 3, 4), 4).foreach(i -> Thread.sleep(400));
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).isEqualTo("find duplicates ...");
        assertThat(lines.subList(1, lines.size() - 1)).isNotEmpty()
                .allSatisfy(l -> assertThat(l).matches("find duplicates: \\d+ s(, tasks \\d+/\\d+)?"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("find duplicates: \\d+ s, tasks \\d/4"));
        assertThat(lines.get(lines.size() - 1)).matches("find duplicates: done in \\d+\\.\\d s");
    }
}
