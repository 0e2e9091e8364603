package org.sdspark.jobs.prep;

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

/** `sdspark prep`: one clean, deduplicated, bucketed Parquet dataset from any mix of inputs. */
public final class PrepCommand implements Command {

    @Override
    public String name() {
        return "prep";
    }

    @Override
    public String summary() {
        return "filter, deduplicate and bucket image-caption inputs into a Parquet dataset";
    }

    @Override
    public String help() {
        return """
                usage: sdspark prep --config FILE [--set KEY=VALUE ...]

                Reads the inputs listed in sdspark.prep.inputs (image folders, kohya N_concept
                folders, DreamBooth folders, Hugging Face Parquet; local paths or s3a://), checks
                every image, and writes to sdspark.prep.output:
                  accepted/    Parquet, one row per training image with its bucket
                  rejected/    Parquet, one row per left-out file with its reason
                  report.json  counts per reason, per bucket and per input

                options:
                """ + CommonOptions.HELP + """

                example:
                  sdspark prep --config conf/prep-example.conf --set sdspark.prep.overwrite=true
                """;
    }

    @Override
    public int run(List<String> args) throws Exception {
        Config config = CommonOptions.loadRequired(args, name());
        PrepReport report = run(config);
        System.out.println(report.toJson());
        return 0;
    }

    /** Runs the prep job on a loaded configuration, with embedded or spark-submit Spark. */
    static PrepReport run(Config config) throws Exception {
        S3Settings s3;
        SparkSettings sparkSettings;
        try {
            s3 = S3Settings.from(config);
            sparkSettings = SparkSettings.from(config);
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage(), e);
        }
        System.out.println("prep: starting Spark (" + sparkSettings.master() + " unless spark-submit set a master) ...");
        SparkSession spark = SparkSessions.create("sdspark prep", sparkSettings, s3);
        PrepJob job;
        try {
            job = PrepJob.create(spark, config, System.out);
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage(), e);
        }
        return job.run();
    }
}
