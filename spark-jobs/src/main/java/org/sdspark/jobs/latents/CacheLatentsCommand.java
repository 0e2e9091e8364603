package org.sdspark.jobs.latents;

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

/** `sdspark cache-latents`: VAE latents of a prepared dataset, written as a new dataset. */
public final class CacheLatentsCommand implements Command {

    @Override
    public String name() {
        return "cache-latents";
    }

    @Override
    public String summary() {
        return "encode a prepared dataset's images with the VAE into a new dataset, so training skips the VAE";
    }

    @Override
    public String help() {
        return """
                usage: sdspark cache-latents --config FILE [--set KEY=VALUE ...]

                Reads the committed dataset sdspark.latents.input (the output of sdspark prep or
                caption), encodes every accepted image after its recorded resize and crop (and its
                mirror image with flip = true) with the VAE of sdspark.latents.model, one VAE per
                executor, on the executor's GPU when Spark assigned one, and writes to
                sdspark.latents.output:
                  accepted/             the rows plus latent_mean, latent_logvar (and latent_flipped_*)
                                        and latent_channels/height/width
                  rejected/             the input's rejections plus rows whose image could not be encoded
                  latents.json          the VAE's identity and scaling factor, precision, flip, resize filter
                  latents_report.json   counts, rejections by reason, images/s

                options:
                """ + CommonOptions.HELP + """

                example:
                  sdspark cache-latents --config conf/latents-example.conf --set sdspark.latents.flip=true
                """;
    }

    @Override
    public int run(List<String> args) throws Exception {
        Config config = CommonOptions.loadRequired(args, name());
        SparkSession spark;
        LatentsJob job;
        try {
            spark = SparkSessions.create("sdspark cache-latents", SparkSettings.from(config), S3Settings.from(config));
            job = LatentsJob.create(spark, config, System.out);
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage(), e);
        }
        System.out.println(job.run().toJson());
        return 0;
    }
}
