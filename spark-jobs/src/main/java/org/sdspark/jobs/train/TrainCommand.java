package org.sdspark.jobs.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.CommonOptions;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;
import org.sdspark.jobs.prep.HadoopFiles;
import org.sdspark.jobs.train.config.DataSettings;
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

                Fine-tunes sdspark.train.model on sdspark.train.dataset (an `sdspark prep` output, with
                cached latents if `sdspark cache-latents` made them) by sdspark.train.method: full,
                dreambooth, lora, locon, dreambooth-lora or textual-inversion (recipes in conf/train-*.conf).
                Everything is validated before any work; DreamBooth's missing class images are generated
                first. sdspark.train.distributed.workers data-parallel workers run as one Spark barrier
                stage (one GPU each when tasks ask for GPUs; NCCL on GPUs, a TCP ring on CPUs). Rank 0
                writes to sdspark.train.output:
                  checkpoints/checkpoint-<step>/   weights, optimizer, EMA, data position (resumable)
                  metrics/                         TensorBoard events, CSV, loss-curve PNG
                  validation/step-<n>.png          sample grids of validation.prompts
                  model/, model.safetensors        full fine-tunes (model-ema* with EMA)
                  lora/, lora.safetensors          LoRA methods (PEFT/diffusers and kohya layouts)
                  learned_embeds.safetensors       textual inversion (and <token>.safetensors, A1111)
                Re-running the same command resumes from the newest checkpoint; a lost task or
                executor makes Spark retry the stage, which resumes the same way.

                options:
                """ + CommonOptions.HELP + """

                examples:
                  sdspark train --config conf/train-naruto.conf
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
        HadoopFiles files = HadoopFiles.of(spark);
        DataSettings.Latents latents = TrainingPreflight.check(spark, train, files.configuration(),
                line -> System.err.println("sdspark train: " + line));
        Config resolved = config.withValue(TrainConfig.PATH + ".latents",
                ConfigValueFactory.fromAnyRef(latents.name().toLowerCase(Locale.ROOT)));
        List<RankTraining.Result> ranks = DistributedTraining.run(spark, train.distributed(),
                new RankTraining(render(resolved), files));
        RankTraining.Result leader = ranks.get(0);
        System.out.println("sdspark train: steps " + leader.firstStep() + " to " + leader.endStep() + " on " + ranks.size()
                + " workers; outputs in " + train.output());
        return 0;
    }

    /** The {@code sdspark.train} block alone: what the executors need, and no credentials. */
    static String render(Config config) {
        return config.getConfig(TrainConfig.PATH).atPath(TrainConfig.PATH).root().render(ConfigRenderOptions.concise());
    }
}
