package org.sdspark.jobs;

import java.time.Duration;
import java.util.Arrays;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;

/** The one place a command gets its SparkSession. */
public final class SparkSessions {

    private SparkSessions() {
    }

    /**
     * Embedded Spark on `sdspark.spark.master` (default local[*]) unless spark-submit already set
     * `spark.master`; an existing session (tests, notebooks) is reused and given the S3A settings.
     */
    public static SparkSession create(String appName, SparkSettings spark, S3Settings s3) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (!new SparkConf().contains("spark.master")) {
            builder.master(spark.master())
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.ui.enabled", "false");
        }
        spark.conf().forEach(builder::config);
        s3.hadoopProperties().forEach((k, v) -> builder.config("spark.hadoop." + k, v));
        SparkSession session = builder.getOrCreate();
        s3.hadoopProperties().forEach(session.sparkContext().hadoopConfiguration()::set);
        return session;
    }

    /**
     * Waits (up to a minute) until no task runs. Tasks of a failed or cancelled job are killed
     * asynchronously and may still be writing into a staging directory; deleting it before they
     * stop would leave their files behind.
     */
    public static void awaitIdleExecutors(SparkSession spark) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && Arrays.stream(
                spark.sparkContext().statusTracker().getExecutorInfos()).anyMatch(e -> e.numRunningTasks() > 0)
                || spark.sparkContext().statusTracker().getActiveJobIds().length > 0) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
