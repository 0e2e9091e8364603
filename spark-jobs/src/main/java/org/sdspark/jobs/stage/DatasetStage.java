package org.sdspark.jobs.stage;

import static org.apache.spark.sql.functions.col;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.prep.HadoopFiles;
import org.sdspark.jobs.prep.OutputCommit;

/**
 * What every stage that derives a new dataset version from a committed one shares (caption,
 * cache-latents): the checks made before any work and the accepted / rejected tables of the new
 * version, which {@link OutputCommit} writes like prep's: in a staging directory committed only
 * when everything is written.
 */
public final class DatasetStage {

    /** Loads (or checks) what a model folder holds. */
    @FunctionalInterface
    public interface ModelCheck<T> {
        T load(java.nio.file.Path folder) throws IOException;
    }

    private DatasetStage() {
    }

    /**
     * Fails unless {@code input} is a committed dataset ({@code accepted/} and {@code _SUCCESS}),
     * {@code output} is another place, and {@code output} may be written.
     *
     * @param key the settings block, e.g. {@code sdspark.caption}, whose {@code input}, {@code output}
     *     and {@code overwrite} are meant
     */
    public static void checkInputAndOutput(HadoopFiles files, Config config, String key, Path input, String output,
                                           boolean overwrite) throws IOException {
        if (!files.exists(new Path(input, OutputCommit.SUCCESS)) || !files.exists(new Path(input, "accepted"))) {
            throw new UsageError(origin(config, key + ".input") + ": " + key + ".input: " + input
                    + " is not a committed dataset (no accepted/ and _SUCCESS; run sdspark prep first)");
        }
        if (input.equals(files.qualify(output))) {
            throw new UsageError(origin(config, key + ".output") + ": " + key + ".output must differ from the input: "
                    + "this stage writes a new dataset, never over its input");
        }
        new OutputCommit(files, output, overwrite, key + ".overwrite").checkWritable();
    }

    /**
     * Runs {@code check} on {@code model}, the folder {@code key.model} names, on the driver before
     * any work; any failure is a usage error naming the key and where it was set.
     *
     * @param what what executors read from the folder, for the message ("the model", "the VAE")
     */
    public static <T> T checkModel(Config config, String key, String model, String what, ModelCheck<T> check) {
        java.nio.file.Path folder = java.nio.file.Path.of(model);
        String where = origin(config, key + ".model") + ": " + key + ".model: ";
        if (!Files.isDirectory(folder)) {
            throw new UsageError(where + folder + " is not a folder (executors read " + what + " from the same path)");
        }
        try {
            return check.load(folder);
        } catch (IOException | RuntimeException e) {
            throw new UsageError(where + e.getMessage(), e);
        }
    }

    /** The input's {@code accepted/} table, which must have every one of {@code columns}. */
    public static Dataset<Row> readAccepted(SparkSession spark, String key, Path input, List<String> columns) {
        Dataset<Row> accepted = spark.read().parquet(new Path(input, "accepted").toString());
        List<String> present = List.of(accepted.columns());
        for (String column : columns) {
            if (!present.contains(column)) {
                throw new UsageError(key + ".input: " + input + "/accepted has no column '" + column + "'");
            }
        }
        return accepted;
    }

    /** Where the user set {@code key}: file and line, or "--set key". */
    public static String origin(Config config, String key) {
        return config.getValue(key).origin().description();
    }

    /**
     * Writes {@code rows} (with {@link StageRows}' reason and detail) as the new version's
     * {@code accepted/} (rows without a reason, without those two columns) and {@code rejected/}
     * (the input's rejections, then the new ones); returns the new rejections by reason.
     */
    public static SortedMap<String, Long> writeRows(SparkSession spark, HadoopFiles files, Path input, Path staging,
                                                    Dataset<Row> rows) throws IOException {
        rows.filter(col(StageRows.REASON).isNull()).drop(StageRows.REASON, StageRows.DETAIL)
                .write().mode(SaveMode.ErrorIfExists).parquet(new Path(staging, "accepted").toString());
        Dataset<Row> newlyRejected = rows.filter(col(StageRows.REASON).isNotNull())
                .select("source", StageRows.REASON, StageRows.DETAIL);
        Path inputRejected = new Path(input, "rejected");
        Dataset<Row> rejected = files.exists(inputRejected)
                ? spark.read().parquet(inputRejected.toString()).select("source", "reason", "detail").union(newlyRejected)
                : newlyRejected;
        rejected.write().mode(SaveMode.ErrorIfExists).parquet(new Path(staging, "rejected").toString());
        SortedMap<String, Long> byReason = new TreeMap<>();
        newlyRejected.groupBy(StageRows.REASON).count().collectAsList()
                .forEach(r -> byReason.put(r.getString(0), r.getLong(1)));
        return byReason;
    }

    /** Copies the input's file {@code name} (a report) into the new version, if the input has one. */
    public static void carry(HadoopFiles files, Path input, Path staging, String name) throws IOException {
        Path file = new Path(input, name);
        if (files.exists(file)) {
            files.writeText(new Path(staging, name), new String(files.read(file), StandardCharsets.UTF_8));
        }
    }
}
