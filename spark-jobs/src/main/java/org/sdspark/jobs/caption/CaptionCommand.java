package org.sdspark.jobs.caption;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.CommonOptions;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;

/** `sdspark caption`: BLIP captions for a prepared dataset, written as a new dataset. */
public final class CaptionCommand implements Command {

    @Override
    public String name() {
        return "caption";
    }

    @Override
    public String summary() {
        return "caption a prepared dataset with BLIP into a new dataset (fill, replace, prepend, append)";
    }

    @Override
    public String help() {
        return """
                usage: sdspark caption --config FILE [--set KEY=VALUE ...]

                Reads the committed dataset sdspark.caption.input (the output of sdspark prep),
                captions its rows with the BLIP model folder sdspark.caption.model (Hugging Face
                BlipForConditionalGeneration: config.json, model.safetensors, processor and
                tokenizer files), one model per executor, on the executor's GPU when Spark
                assigned one, and writes to sdspark.caption.output:
                  accepted/             the rows with their captions (caption_source = blip where captioned)
                  rejected/             the input's rejections plus rows whose image could not be captioned
                  caption_report.json   counts, rejections by reason, images/s
                  kohya/                with kohya-export = true: <repeats>_<concept>/<id>.<ext> + <id>.txt

                options:
                """ + CommonOptions.HELP + """

                example:
                  sdspark caption --config conf/caption-example.conf --set sdspark.caption.mode=replace
                """;
    }

    @Override
    public int run(List<String> args) throws Exception {
        Config config = CommonOptions.loadRequired(args, name());
        System.out.println(run(config).toJson());
        return 0;
    }

    /** Runs the captioning job on a loaded configuration, with embedded or spark-submit Spark. */
    static CaptionReport run(Config config) throws Exception {
        SparkSession spark;
        CaptionJob job;
        try {
            spark = SparkSessions.create("sdspark caption", SparkSettings.from(config), S3Settings.from(config));
            job = CaptionJob.create(spark, config, System.out);
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage(), e);
        }
        return job.run();
    }
}
