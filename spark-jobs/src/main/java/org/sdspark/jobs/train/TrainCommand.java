package org.sdspark.jobs.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.CommonOptions;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;
import org.sdspark.jobs.prep.HadoopFiles;
import org.sdspark.jobs.train.distributed.DistributedTraining;

/** `sdspark train`: fine-tunes on a prepared dataset with N data-parallel workers in one Spark barrier stage. */
public final class TrainCommand implements Command {

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "fine-tune Stable Diffusion on a prepared dataset, on one or many GPUs (a Spark barrier stage)";
    }

    @Override
    public String help() {
        return """
                usage: sdspark train --config FILE [--set KEY=VALUE ...]

                Trains sdspark.train.model on sdspark.train.dataset (an `sdspark prep` output) with
                sdspark.train.distributed.workers data-parallel workers, one Spark barrier task each
                (one GPU each when tasks ask for GPUs), gradients averaged every optimizer step (NCCL
                on GPUs, a TCP ring on CPUs). Rank 0 writes to sdspark.train.output:
                  checkpoints/checkpoint-<step>/   weights, optimizer, data position (resumable)
                  metrics/                         TensorBoard events and CSV, per-rank step times
                  model/                           the trained pipeline, a diffusers folder
                Re-running the same command resumes from the newest checkpoint; a lost task or
                executor makes Spark retry the stage, which resumes the same way.

                options:
                """ + CommonOptions.HELP + """

                example:
                  sdspark train --config my-train.conf --set sdspark.train.distributed.workers=2
                """;
    }

    @Override
    public int run(List<String> args) throws Exception {
        Options options = Options.parse(args, CommonOptions.NAMES);
        if (options.value("--config").isEmpty() && options.all("--set").isEmpty()) {
            throw new UsageError("needs --config FILE (or --set keys); see sdspark train --help");
        }
        Config config = CommonOptions.load(options);
        TrainConfig train;
        SparkSession spark;
        try {
            train = TrainConfig.from(config);
            spark = SparkSessions.create("sdspark train", SparkSettings.from(config), S3Settings.from(config));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
        List<RankTraining.Result> ranks = DistributedTraining.run(spark, train.distributed(),
                new RankTraining(render(config), HadoopFiles.of(spark)));
        RankTraining.Result leader = ranks.get(0);
        System.out.println("sdspark train: steps " + leader.firstStep() + " to " + leader.endStep() + " on " + ranks.size()
                + " workers; checkpoints in " + train.output() + "/checkpoints");
        return 0;
    }

    /** The {@code sdspark.train} block alone: what the executors need, and no credentials. */
    static String render(Config config) {
        return config.getConfig(TrainConfig.PATH).atPath(TrainConfig.PATH).root().render(ConfigRenderOptions.concise());
    }
}
