package org.sdspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.prep.HadoopFiles;
import org.sdspark.jobs.train.distributed.DistributedSettings;
import org.sdspark.jobs.train.distributed.DistributedTraining;
import org.sdspark.model.train.collective.Backend;
import org.sdspark.model.train.collective.CollectiveSettings;
import org.sdspark.model.train.collective.WireFormat;

/** Data-parallel training as a barrier stage of Spark local[2]: two tasks in one JVM, a TCP ring between them. */
class DistributedTrainingTest {
    @TempDir
    static Path dir;
    static Path dataset;

    @BeforeAll
    static void prepare() throws IOException {
        dataset = TrainingFixtures.dataset();
    }

    static List<RankTraining.Result> train(List<String> sets) {
        Config config = ConfigLoader.load(Optional.empty(), sets);
        TrainConfig train = TrainConfig.from(config);
        return DistributedTraining.run(SharedSpark.get(), train.distributed(),
                new RankTraining(TrainCommand.render(config), HadoopFiles.of(SharedSpark.get())));
    }

    @Test
    void twoWorkersOfBatchOneTrainAsOneWorkerOfBatchTwo() throws IOException {
        Path one = dir.resolve("one-worker");
        Path two = dir.resolve("two-workers");
        List<RankTraining.Result> single = train(TrainingFixtures.run(dataset, one, 1, 2, 3, 0));
        List<RankTraining.Result> pair = train(TrainingFixtures.run(dataset, two, 2, 1, 3, 0));

        assertThat(pair).extracting(RankTraining.Result::rank).containsExactly(0, 1);
        Map<String, float[]> weights = TrainingFixtures.weights(one, 3);
        double difference = TrainingFixtures.maxDifference(weights, TrainingFixtures.weights(two, 3));
        System.out.printf("2 workers x batch 1 vs 1 x batch 2, 3 AdamW steps: largest weight difference %.3e%n", difference);
        assertThat(difference).isLessThan(1e-5);
        // AdamW moves every trained weight by about the learning rate a step: far more than the tolerance
        assertThat(TrainingFixtures.maxDifference(weights, TrainingFixtures.initialUnet(weights.keySet()))).isGreaterThan(1e-4);
        // each rank's loss is over its half of the global batch: their mean is the single worker's loss
        for (int step = 0; step < 3; step++) {
            double mean = (pair.get(0).losses().get(step) + pair.get(1).losses().get(step)) / 2;
            assertThat(mean).isCloseTo(single.get(0).losses().get(step), org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(pair.get(0).losses()).isNotEqualTo(pair.get(1).losses()); // the ranks saw different images
        assertThat(two.resolve("model").resolve("unet").resolve("diffusion_pytorch_model.safetensors")).exists();
        assertThat(Files.list(two.resolve("metrics")).map(p -> p.getFileName().toString()))
                .anyMatch(n -> n.startsWith("events.out.tfevents.")).anyMatch(n -> n.endsWith(".csv"));
        assertThat(Files.readString(Files.list(two.resolve("metrics")).filter(p -> p.toString().endsWith(".csv"))
                .findFirst().orElseThrow())).contains("rank1/all_reduce_seconds").contains("rank0/step_seconds");
    }

    @Test
    void aRankThatHangsFailsTheRunWithinTheTimeoutNamingIt() {
        DistributedSettings settings = new DistributedSettings(2, Backend.RING,
                new CollectiveSettings(WireFormat.FP32, 1 << 20, Duration.ofSeconds(2)), 0);
        long start = System.nanoTime();
        assertThatThrownBy(() -> DistributedTraining.run(SharedSpark.get(), settings, rank -> {
            if (rank.rank() == 1) {
                while (!rank.cancelled().getAsBoolean()) {
                    Thread.sleep(50); // stuck before its first collective, until Spark kills the task
                }
                return "cancelled";
            }
            rank.communicator().barrier();
            return "done";
        })).isInstanceOf(SparkException.class).hasMessageContaining("rank 0 waited 2 s").hasMessageContaining("for rank 1")
                .hasMessageContaining("hung or is gone");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(60);
    }
}
