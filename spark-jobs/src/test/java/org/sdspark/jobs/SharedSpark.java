package org.sdspark.jobs;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;

/** One local SparkSession for every test class in the JVM: starting Spark costs seconds. */
public final class SharedSpark {

    private static SparkSession session;

    private SharedSpark() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSessions.create("sdspark-tests",
                    new SparkSettings("local[2]", Map.of("spark.sql.shuffle.partitions", "4")),
                    new S3Settings("", "", false, true, "", ""));
        }
        return session;
    }
}
