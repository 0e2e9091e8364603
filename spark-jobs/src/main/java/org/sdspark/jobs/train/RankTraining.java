package org.sdspark.jobs.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.sdspark.jobs.prep.HadoopFiles;
import org.sdspark.jobs.train.config.DataSettings;
import org.sdspark.jobs.train.data.ShardTrainingData;
import org.sdspark.jobs.train.distributed.RankContext;
import org.sdspark.jobs.train.distributed.RankProgram;
import org.sdspark.model.train.MetricsSink;
import org.sdspark.model.train.ProgressListener;
import org.sdspark.model.train.TrainingResult;
import org.sdspark.model.train.TrainingRun;
import org.sdspark.prep.plan.EpochPlanner;

/**
 * One rank of a fine-tuning run: reads its shard of the prepared dataset straight from Parquet,
 * trains with the others through the rank's communicator (initial weights broadcast from rank 0,
 * gradients all-reduced once per optimizer step), and resumes from the checkpoint rank 0 chose.
 * Rank 0 writes the checkpoints, metrics, validation grids and, at the end, the method's exports
 * ({@link TrainExports}); every rank returns its losses.
 */
public final class RankTraining implements RankProgram<RankTraining.Result> {
    private final String trainConfig;
    private final HadoopFiles files;

    /** What one rank did: steps [firstStep, endStep) in this attempt and their losses on this rank. */
    public record Result(int rank, long firstStep, long endStep, List<Double> losses) implements Serializable {
    }

    /** @param trainConfig the {@code sdspark.train} block, rendered (it carries no credentials) */
    public RankTraining(String trainConfig, HadoopFiles files) {
        this.trainConfig = trainConfig;
        this.files = files;
    }

    @Override
    public Result run(RankContext rank) throws IOException {
        TrainConfig config = TrainConfig.fromRendered(trainConfig);
        Configuration conf = files.configuration();
        TrainingDatasets datasets = TrainingDatasets.read(config, conf);
        EpochPlanner planner = datasets.planner(config.planSettings(rank.worldSize()));
        HadoopCheckpointStore checkpoints = new HadoopCheckpointStore(config.output() + "/checkpoints", conf);
        Long resume = agreedResumeStep(rank, checkpoints);
        if (rank.leader()) {
            log(rank, config.method().key() + " on " + rank.worldSize() + " workers (" + rank.communicator().describe()
                    + "); global batch " + config.batchSize() + " x " + rank.worldSize() + " workers x " + config.accumulation()
                    + " accumulation = " + config.globalBatch() + " images per step; " + planner.stepsPerEpoch()
                    + " steps per epoch; " + (config.data().latents() == DataSettings.Latents.CACHED ? "cached latents" : "pixels")
                    + "; " + (resume == null ? "starting" : "resuming from checkpoint-" + resume) + " (attempt " + rank.attempt() + ")");
        }
        try (NDManager manager = NDManager.newBaseManager(rank.device());
             TrainingRun run = TrainingRun.open(manager, Path.of(config.model()), config.trainingSettings(), config.modelSetup(),
                     rank.communicator());
             ShardTrainingData data = new ShardTrainingData(planner, rank.rank(), datasets.instances(), datasets.classes(),
                     TrainingDatasets.sources(config, conf), config.data().loaderThreads(), config.data().prefetch());
             LeaderMetrics metrics = rank.leader()
                     ? LeaderMetrics.open(config.output(), conf, config.steps(), resume == null ? 0 : resume) : null) {
            MetricsSink sink = metrics == null ? MetricsSink.NONE : metrics;
            if (rank.leader() && run.trainer().usesCudaGraphs()) {
                log(rank, "micro-batches replay CUDA graphs (one per batch shape; sdspark.train.cuda-graphs = false runs them eagerly)");
            }
            RankMonitor monitor = new RankMonitor(rank, manager, () -> run.trainer().update().master(),
                    config.distributed().checksumEvery(), metrics == null ? MetricsSink.NONE : metrics::record,
                    line -> log(rank, line));
            ProgressListener validation = rank.leader() && config.validation().enabled()
                    ? new ValidationImages(run.models(), manager, config.validation(), config.steps(), config.output(), conf,
                            metrics, line -> log(rank, line))
                    : ProgressListener.NONE;
            TrainingResult result = run.train(data, new RankCheckpointStore(checkpoints, rank.leader(), resume), trainConfig,
                    sink, report -> {
                        monitor.onStep(report);
                        validation.onStep(report);
                    });
            if (rank.leader()) {
                log(rank, "wrote " + TrainExports.write(run, config, conf) + " to " + config.output());
            }
            return new Result(rank.rank(), result.firstStep(), result.endStep(), result.losses());
        }
    }

    /** Rank 0's newest complete checkpoint, the same on every rank (null: start afresh). */
    private static Long agreedResumeStep(RankContext rank, HadoopCheckpointStore checkpoints) throws IOException {
        String mine = "";
        if (rank.leader()) {
            List<Long> steps = checkpoints.steps();
            mine = steps.isEmpty() ? "" : String.valueOf(steps.get(steps.size() - 1));
        }
        String chosen = rank.rendezvous().allGather(mine).get(0);
        return chosen.isEmpty() ? null : Long.valueOf(chosen);
    }

    private static void log(RankContext rank, String line) {
        System.err.println("sdspark train [rank " + rank.rank() + "]: " + line);
    }
}
