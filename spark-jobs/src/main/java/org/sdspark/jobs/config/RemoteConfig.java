package org.sdspark.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.sdspark.jobs.UsageError;
import scala.Tuple2;

/**
 * A configuration file on a Hadoop file system. It is read before the session exists, so the
 * file system is set up from what is known then: the S3 settings of {@code --set sdspark.s3.*}
 * over the defaults (credentials from the environment), then any {@code spark.hadoop.*}
 * properties spark-submit passed to the driver.
 */
final class RemoteConfig {
    private RemoteConfig() {
    }

    static boolean isRemote(String location) {
        int colon = location.indexOf("://");
        return colon > 1 && !location.startsWith("file:");
    }

    static Config parse(String location, Supplier<S3Settings> s3) {
        Configuration conf = new Configuration();
        try {
            s3.get().hadoopProperties().forEach(conf::set);
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage(), e);
        }
        for (Tuple2<String, String> property : new SparkConf().getAllWithPrefix("spark.hadoop.")) {
            conf.set(property._1(), property._2());
        }
        String text;
        try {
            Path path = new Path(URI.create(location));
            FileSystem fs = path.getFileSystem(conf);
            if (!fs.isFile(path)) {
                throw new UsageError("config file " + location + " not found");
            }
            try (InputStream in = fs.open(path)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageError("cannot read the config file " + location + ": " + e.getMessage(), e);
        }
        try {
            return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(location));
        } catch (ConfigException e) {
            throw new UsageError(e.getMessage(), e);
        }
    }
}
