package org.sdspark.jobs.prep;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sdspark.prep.bucket.Bucket;

/** Reads a committed prep output back, keyed by each file's path relative to an input root. */
final class OutputTables {

    private final Map<String, Bucket> accepted = new TreeMap<>();
    private final Map<String, String> rejected = new TreeMap<>();

    OutputTables(SparkSession spark, String output, String inputRoot) {
        String prefix = inputRoot.endsWith("/") ? inputRoot : inputRoot + "/";
        for (Row r : spark.read().parquet(output + "/accepted")
                .select("source", "bucket_width", "bucket_height").collectAsList()) {
            accepted.put(relative(r.getAs("source"), prefix), new Bucket(r.getAs("bucket_width"), r.getAs("bucket_height")));
        }
        for (Row r : spark.read().parquet(output + "/rejected").select("source", "reason").collectAsList()) {
            rejected.put(relative(r.getAs("source"), prefix), r.getAs("reason"));
        }
    }

    Map<String, Bucket> accepted() {
        return accepted;
    }

    Map<String, String> rejected() {
        return rejected;
    }

    private static String relative(String source, String prefix) {
        return source.startsWith(prefix) ? source.substring(prefix.length()) : source;
    }
}
