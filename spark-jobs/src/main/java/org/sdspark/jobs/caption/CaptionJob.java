package org.sdspark.jobs.caption;

import static org.apache.spark.sql.functions.col;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.prep.HadoopFiles;
import org.sdspark.jobs.prep.OutputCommit;
import org.sdspark.jobs.prep.Progress;
import org.sdspark.model.bert.BertTokenizer;
import org.sdspark.model.blip.BlipConfig;
import org.sdspark.model.blip.BlipImageProcessor;
import org.sdspark.prep.CaptionSettings;
import org.sdspark.prep.caption.CaptionMode;

/**
 * Captions a committed prepared dataset into a new one: `accepted/` with new captions
 * (caption_source `blip`), `rejected/` with the input's rejections plus rows whose image could
 * not be captioned, `caption_report.json`, the input's `report.json`, and optionally a kohya
 * folder; written to a staging directory and renamed into place, like `prep`.
 */
public final class CaptionJob {
    private static final String KEY = CaptionSettings.PATH;
    private static final List<String> COLUMNS = List.of("id", "source", "image", "format", "caption", "caption_source",
            "repeats", "concept");

    private final SparkSession spark;
    private final CaptionSettings settings;
    private final HadoopFiles files;
    private final Path input;
    private final PrintStream out;

    private CaptionJob(SparkSession spark, CaptionSettings settings, PrintStream out) {
        this.spark = spark;
        this.settings = settings;
        this.files = HadoopFiles.of(spark);
        this.input = files.qualify(settings.input());
        this.out = out;
    }

    /**
     * Reads `sdspark.caption` and checks, before any work, that the input is a committed dataset,
     * that the model folder's config, processor and tokenizer load, and that the output may be written.
     */
    public static CaptionJob create(SparkSession spark, Config config, PrintStream out) throws IOException {
        CaptionSettings settings = CaptionSettings.from(config);
        CaptionJob job = new CaptionJob(spark, settings, out);
        if (!job.files.exists(new Path(job.input, OutputCommit.SUCCESS))
                || !job.files.exists(new Path(job.input, "accepted"))) {
            throw new UsageError(origin(config, "input") + ": " + KEY + ".input: " + job.input
                    + " is not a committed dataset (no accepted/ and _SUCCESS; run sdspark prep first)");
        }
        if (job.input.equals(job.files.qualify(settings.output()))) {
            throw new UsageError(origin(config, "output") + ": " + KEY + ".output must differ from the input: "
                    + "captioning writes a new dataset, never over its input");
        }
        checkModel(config, java.nio.file.Path.of(settings.model()));
        new OutputCommit(job.files, settings.output(), settings.overwrite(), KEY + ".overwrite").checkWritable();
        return job;
    }

    private static void checkModel(Config config, java.nio.file.Path folder) {
        String where = origin(config, "model") + ": " + KEY + ".model: ";
        if (!Files.isDirectory(folder)) {
            throw new UsageError(where + folder + " is not a folder (executors read the model from the same path)");
        }
        try {
            BlipConfig.read(folder.resolve("config.json"));
            BlipImageProcessor.load(folder);
            BertTokenizer.load(folder);
        } catch (IOException | RuntimeException e) {
            throw new UsageError(where + e.getMessage(), e);
        }
    }

    private static String origin(Config config, String key) {
        return config.getValue(KEY + "." + key).origin().description();
    }

    public CaptionReport run() throws IOException {
        long start = System.nanoTime();
        OutputCommit commit = new OutputCommit(files, settings.output(), settings.overwrite(), KEY + ".overwrite");
        commit.checkWritable();
        commit.begin(out);
        try {
            CaptionReport report = write(commit.staging(), start);
            commit.commit();
            return report;
        } catch (Throwable e) {
            // Spark's own exceptions are checked ones thrown undeclared from Scala: catch everything.
            SparkSessions.awaitIdleExecutors(spark);
            commit.abort();
            throw e;
        }
    }

    private CaptionReport write(Path staging, long start) throws IOException {
        Dataset<Row> accepted = spark.read().parquet(new Path(input, "accepted").toString());
        List<String> columns = List.of(accepted.columns());
        for (String column : COLUMNS) {
            if (!columns.contains(column)) {
                throw new UsageError(KEY + ".input: " + input + "/accepted has no column '" + column + "'");
            }
        }
        int partitions = settings.partitions() > 0 ? settings.partitions() : accepted.rdd().getNumPartitions();
        Dataset<Row> source = settings.partitions() > 0 ? accepted.repartition(partitions) : accepted;
        CaptionMode mode = settings.mode();
        long rows = accepted.count();
        long toCaption = accepted.filter((FilterFunction<Row>) r -> mode.captions(r.getAs("caption"))).count();
        out.printf("caption: %d rows, %d to caption (%s mode), %d partitions%n", rows, toCaption, mode.code(), partitions);

        LongAccumulator done = spark.sparkContext().longAccumulator("images captioned");
        var schema = CaptionRows.schema(accepted.schema());
        Dataset<Row> captioned = source.mapPartitions(new Captioner(settings, schema, done), Encoders.row(schema))
                .persist(StorageLevel.MEMORY_AND_DISK());
        long captionStart = System.nanoTime();
        try (Progress progress = new Progress("caption", toCaption, done, out, Duration.ofSeconds(2))) {
            captioned.count();
        }
        double captionSeconds = (System.nanoTime() - captionStart) / 1e9;

        Path acceptedOut = new Path(staging, "accepted");
        captioned.filter(col(CaptionRows.REASON).isNull()).drop(CaptionRows.REASON, CaptionRows.DETAIL)
                .write().mode(SaveMode.ErrorIfExists).parquet(acceptedOut.toString());
        Dataset<Row> newlyRejected = captioned.filter(col(CaptionRows.REASON).isNotNull())
                .select("source", CaptionRows.REASON, CaptionRows.DETAIL);
        Path inputRejected = new Path(input, "rejected");
        Dataset<Row> rejected = files.exists(inputRejected)
                ? spark.read().parquet(inputRejected.toString()).select("source", "reason", "detail").union(newlyRejected)
                : newlyRejected;
        rejected.write().mode(SaveMode.ErrorIfExists).parquet(new Path(staging, "rejected").toString());
        if (settings.kohyaExport()) {
            spark.read().parquet(acceptedOut.toString()).foreachPartition(new KohyaExport(files, new Path(staging, "kohya")));
        }

        TreeMap<String, Long> byReason = new TreeMap<>();
        newlyRejected.groupBy(CaptionRows.REASON).count().collectAsList()
                .forEach(r -> byReason.put(r.getString(0), r.getLong(1)));
        captioned.unpersist();
        long rejectedCount = byReason.values().stream().mapToLong(Long::longValue).sum();
        long captionedCount = toCaption - rejectedCount;
        CaptionReport report = new CaptionReport(input.toString(), files.qualify(settings.output()).toString(),
                settings.model(), mode.code(), rows, captionedCount, rows - toCaption, rejectedCount, byReason, partitions,
                settings.batchSize(), captionSeconds, captionSeconds > 0 ? captionedCount / captionSeconds : 0,
                (System.nanoTime() - start) / 1e9);
        files.writeText(new Path(staging, "caption_report.json"), report.toJson());
        Path prepReport = new Path(input, "report.json");
        if (files.exists(prepReport)) {
            files.writeText(new Path(staging, "report.json"), new String(files.read(prepReport), StandardCharsets.UTF_8));
        }
        return report;
    }
}
