package org.sdspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `sdspark train` as a process of its own, killed with SIGKILL (kill -9: no shutdown hook, no
 * flush) after its first checkpoint, then the same command again: the second run resumes from the
 * newest complete checkpoint, and its loss at every step it takes, and the final weights, equal an
 * uninterrupted run's. The uninterrupted run is a process of its own too: a JVM that other tests
 * have used may run libtorch's reductions on another number of threads, which changes the last
 * bit of a loss.
 */
class KillResumeTest {
    private static final int STEPS = 8;
    private static final int SIGKILL_EXIT = 128 + 9;

    @TempDir
    static Path dir;

    @Test
    void aRunKilledMidwayResumesWithTheLossesOfAnUninterruptedRun() throws Exception {
        Path dataset = TrainingFixtures.dataset();
        Path killed = dir.resolve("killed");
        Path config = config(dataset, killed, "killed.conf");

        Process first = start(config, dir.resolve("first.log"));
        try {
            Path marker = killed.resolve("checkpoints").resolve("checkpoint-2").resolve(HadoopCheckpointStore.COMPLETE);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!Files.exists(marker) && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(marker).as("the first checkpoint; log:%n%s", Files.readString(dir.resolve("first.log"))).exists();
            first.destroyForcibly(); // SIGKILL on Unix
            assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
        } finally {
            first.destroyForcibly();
        }
        assertThat(first.exitValue()).isEqualTo(SIGKILL_EXIT);
        assertThat(killed.resolve("checkpoints").resolve("checkpoint-" + STEPS)).as("killed before the end").doesNotExist();

        Process second = start(config, dir.resolve("second.log"));
        assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String log = Files.readString(dir.resolve("second.log"));
        assertThat(second.exitValue()).as(log).isZero();
        assertThat(log).containsPattern("resuming from checkpoint-[246] \\(attempt 0\\)");
        long resumedFrom = Long.parseLong(log.replaceAll("(?s).*resuming from checkpoint-(\\d+).*", "$1"));

        Path uninterrupted = dir.resolve("uninterrupted");
        Process clean = start(config(dataset, uninterrupted, "uninterrupted.conf"), dir.resolve("uninterrupted.log"));
        assertThat(clean.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(clean.exitValue()).as(Files.readString(dir.resolve("uninterrupted.log"))).isZero();
        Map<Long, Double> expected = TrainingFixtures.losses(uninterrupted);
        Map<Long, Double> resumed = TrainingFixtures.lossesFrom(killed, resumedFrom);
        assertThat(resumed.keySet()).hasSize((int) (STEPS - resumedFrom)).allMatch(step -> step > resumedFrom);
        for (long step : resumed.keySet()) {
            assertThat(resumed.get(step)).as("loss of step %d", step).isEqualTo(expected.get(step));
        }
        assertThat(TrainingFixtures.maxDifference(TrainingFixtures.weights(killed, STEPS),
                TrainingFixtures.weights(uninterrupted, STEPS))).isZero();
    }

    private static List<String> settings(Path dataset, Path output) {
        List<String> sets = TrainingFixtures.run(dataset, output, 1, 1, STEPS, 2);
        sets.add("sdspark.train.ema.enabled=true");
        sets.add("sdspark.train.ema.decay=0.9");
        sets.add("sdspark.train.gradient-accumulation=2");
        sets.add("sdspark.train.export.single-file=false");
        return sets;
    }

    private static Path config(Path dataset, Path output, String name) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String set : settings(dataset, output)) {
            lines.add(set.replaceFirst("=", " = "));
        }
        lines.add("sdspark.spark.master = \"local[1]\"");
        lines.add("sdspark.spark.conf { \"spark.ui.enabled\" = false }");
        return Files.write(dir.resolve(name), lines);
    }

    /** `sdspark train --config FILE` in a JVM of its own, on this test's classpath. */
    private static Process start(Path config, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dio.netty")).toList());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.sdspark.jobs.Main", "train", "--config",
                config.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
