package org.sdspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.jobs.prep.HadoopFiles;
import org.sdspark.jobs.train.distributed.DistributedTraining;

/**
 * `sdspark train` on a real multi-process Spark (local-cluster: a standalone master and worker
 * in a driver JVM of its own, each executor a JVM): one executor is killed with SIGKILL mid-run;
 * Spark retries the barrier stage on a new executor, the ranks resume from the last checkpoint,
 * and the run ends with the weights of an uninterrupted one.
 */
class ExecutorLossTest {
    private static final int STEPS = 10; // the kill must land while the run is still going, on fast machines too

    @TempDir
    static Path dir;

    @Test
    void aKilledExecutorIsReplacedAndTheRunResumesFromItsLastCheckpoint() throws Exception {
        Path dataset = TrainingFixtures.dataset();
        Path interrupted = dir.resolve("interrupted");
        Process driver = startDriver(dataset, interrupted);
        try {
            Path marker = interrupted.resolve("checkpoints").resolve("checkpoint-2").resolve(HadoopCheckpointStore.COMPLETE);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (!Files.exists(marker) && driver.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(marker).as("the run's first checkpoint; driver log:%n%s", log(interrupted)).exists();
            // the driver's only JVM children are its executors (a process's command line may be cut at 4 KiB)
            ProcessHandle executor = driver.descendants().filter(p -> p.info().command().orElse("").endsWith("java"))
                    .findFirst().orElseThrow(() -> new AssertionError("no executor JVM under the driver"));
            executor.destroyForcibly();
            assertThat(driver.waitFor(5, TimeUnit.MINUTES)).as("the driver ends").isTrue();
            String log = log(interrupted);
            assertThat(driver.exitValue()).as(log).isZero();
            assertThat(log).containsPattern("sdspark train: steps [2468] to " + STEPS + " on 2 workers");
            assertThat(executorLogs()).contains("starting (attempt 0)").containsPattern("resuming from checkpoint-[2468] \\(attempt 1\\)");
        } finally {
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly();
        }

        Path uninterrupted = dir.resolve("uninterrupted");
        var config = ConfigLoader.load(Optional.empty(), settings(dataset, uninterrupted));
        DistributedTraining.run(SharedSpark.get(), TrainConfig.from(config).distributed(),
                new RankTraining(TrainCommand.render(config), HadoopFiles.of(SharedSpark.get())));
        assertThat(TrainingFixtures.maxDifference(TrainingFixtures.weights(interrupted, STEPS),
                TrainingFixtures.weights(uninterrupted, STEPS))).isLessThan(1e-5);
    }

    private static List<String> settings(Path dataset, Path output) {
        return TrainingFixtures.run(dataset, output, 2, 1, STEPS, 2);
    }

    /** `sdspark train` in a JVM of its own on local-cluster[2,1,1024], the executors on this test's classpath. */
    private static Process startDriver(Path dataset, Path output) throws IOException {
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home").resolve("jars")).getParent();
        String classpath = System.getProperty("java.class.path");
        List<String> lines = new ArrayList<>();
        for (String set : settings(dataset, output)) {
            lines.add(set.replaceFirst("=", " = "));
        }
        lines.add("sdspark.spark.master = \"local-cluster[2,1,1024]\"");
        lines.add("sdspark.spark.conf { \"spark.executor.extraClassPath\" = " + Hocon.quote(Path.of(classpath))
                + ", \"spark.driver.memory\" = 1g }");
        Path config = dir.resolve("train.conf");
        Files.write(config, lines);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dio.netty")).toList());
        command.addAll(List.of("-cp", classpath, "org.sdspark.jobs.Main", "train", "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Files.createDirectories(output).resolve("driver.log").toFile());
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        return builder.start();
    }

    /** What the executors printed (the standalone worker keeps it under SPARK_HOME/work). */
    private static String executorLogs() throws IOException {
        try (var files = Files.walk(dir.resolve("spark-home").resolve("work"))) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                all.append(Files.readString(f));
            }
            return all.toString();
        }
    }

    private static String log(Path output) throws IOException {
        File file = output.resolve("driver.log").toFile();
        return file.exists() ? Files.readString(file.toPath()) : "(no driver log)";
    }
}
