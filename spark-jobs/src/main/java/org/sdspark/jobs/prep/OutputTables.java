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
            accepted.put(relative(r.getString(0), prefix), new Bucket(r.getInt(1), r.getInt(2)));
        }
        for (Row r : spark.read().parquet(output + "/rejected").select("source", "reason").collectAsList()) {
            rejected.put(relative(r.getString(0), prefix), r.getString(1));
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
