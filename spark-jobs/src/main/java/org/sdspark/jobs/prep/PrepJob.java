package org.sdspark.jobs.prep;

import static org.apache.spark.sql.functions.col;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.sdspark.jobs.UsageError;
import org.sdspark.prep.InputSpec;
import org.sdspark.prep.PrepSettings;
import org.sdspark.prep.bucket.ConceptBalancer;
import org.sdspark.prep.bucket.ConceptCount;
import org.sdspark.prep.filter.Rejection;

/**
 * The data-prep pipeline: plan inputs, inspect every image in parallel, drop duplicates across
 * the whole set, bucket the rest, and commit `accepted/`, `rejected/` and `report.json`.
 */
public final class PrepJob {
    private static final String OVERWRITE = PrepSettings.PATH + ".overwrite";

    private final SparkSession spark;
    private final PrepSettings settings;
    private final HadoopFiles files;
    private final PrintStream out;
    /** How often a long step says it is still at work. */
    private static final Duration PHASE_TICK = Duration.ofSeconds(5);

    private PrepJob(SparkSession spark, PrepSettings settings, PrintStream out) {
        this.spark = spark;
        this.settings = settings;
        this.files = HadoopFiles.of(spark);
        this.out = out;
    }

    /**
     * Reads `sdspark.prep` from a loaded configuration and checks, before any work, that every
     * input exists and that the output may be written.
     */
    public static PrepJob create(SparkSession spark, Config config, PrintStream out) throws IOException {
        PrepSettings settings = PrepSettings.from(config);
        PrepJob job = new PrepJob(spark, settings, out);
        List<? extends Config> declared = config.getConfigList(PrepSettings.PATH + ".inputs");
        for (int i = 0; i < settings.inputs().size(); i++) {
            String path = settings.inputs().get(i).path();
            Path qualified = job.files.qualify(path);
            if (job.files.expand(qualified).isEmpty()) {
                throw new UsageError(declared.get(i).getValue("path").origin().description()
                        + ": sdspark.prep.inputs[" + i + "].path: input " + path
                        + (HadoopFiles.isGlob(qualified) ? " matches no file" : " does not exist"));
            }
        }
        new OutputCommit(job.files, settings.output(), settings.overwrite(), OVERWRITE).checkWritable();
        return job;
    }

    public PrepReport run() throws IOException {
        long start = System.nanoTime();
        out.println("prep: " + settings.inputs().size() + " input(s) to " + settings.output());
        return new OutputCommit(files, settings.output(), settings.overwrite(), OVERWRITE)
                .run(spark, out, staging -> write(staging, start));
    }

    private PrepReport write(Path staging, long start) throws IOException {
        SourcePlanner planner = new SourcePlanner(spark, files, settings.ingest());
        List<SourcePlanner.PlannedInput> planned = new ArrayList<>();
        for (InputSpec spec : settings.inputs()) {
            SourcePlanner.PlannedInput p;
            try (Phase phase = phase("plan " + spec.path() + " (list files, read captions)")) {
                p = planner.plan(spec);
            }
            out.printf("input %s: %s layout, %d images, %d other files%n",
                    p.input(), p.format(), p.candidateCount(), p.rejections().size());
            planned.add(p);
        }
        long total = planned.stream().mapToLong(SourcePlanner.PlannedInput::total).sum();
        long candidateCount = planned.stream().mapToLong(SourcePlanner.PlannedInput::candidateCount).sum();
        int partitions = settings.partitions() > 0
                ? settings.partitions()
                : spark.sparkContext().defaultParallelism() * 4;

        Dataset<Row> candidates = planned.stream().map(SourcePlanner.PlannedInput::candidates)
                .reduce(Dataset::union).orElseThrow();
        LongAccumulator done = spark.sparkContext().longAccumulator("images inspected");
        Dataset<Row> inspected = candidates.repartition(partitions)
                .mapPartitions(new Inspector(files, settings.filter(), settings.ingest().requireCaption(), done),
                        Encoders.row(PrepSchema.INSPECTED))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try (Progress progress = new Progress("inspect", candidateCount, done, out, Duration.ofSeconds(2))) {
            inspected.count();
        }

        Dataset<Row> passed = inspected.filter(col("reason").isNull());
        List<Rejection> duplicates;
        try (Phase phase = phase("find duplicates")) {
            duplicates = new Deduplicator(settings.filter()).rejections(passed);
        }
        Dataset<Row> duplicateRows = spark.createDataFrame(duplicates.stream()
                .map(r -> new RowBuilder(PrepSchema.DUPLICATE).set("source", r.source()).set("reason", r.reason().code())
                        .set("detail", r.detail()).build()).toList(),
                PrepSchema.DUPLICATE);
        Dataset<Row> kept = passed.join(duplicateRows, passed.col("source").equalTo(duplicateRows.col("source")),
                "left_anti");
        Dataset<Row> rejected = inspected.filter(col("reason").isNotNull())
                .select("source", "reason", "detail", "input")
                .union(passed.drop("reason", "detail").join(duplicateRows, "source")
                        .select("source", "reason", "detail", "input"))
                .union(spark.createDataFrame(planned.stream().flatMap(p -> p.rejections().stream()).toList(),
                        PrepSchema.REJECTED));

        Path acceptedPath = new Path(staging, "accepted");
        try (Phase phase = phase("write accepted/")) {
            kept.mapPartitions(new Bucketer(settings.bucket(), conceptRepeats(kept)), Encoders.row(PrepSchema.ACCEPTED))
                    .write().mode(SaveMode.ErrorIfExists).parquet(acceptedPath.toString());
        }
        try (Phase phase = phase("write rejected/")) {
            rejected.drop("input").write().mode(SaveMode.ErrorIfExists).parquet(new Path(staging, "rejected").toString());
        }

        PrepReport report;
        try (Phase phase = phase("count for report.json")) {
            report = report(planned, kept, rejected, acceptedPath, total, partitions, start);
        }
        inspected.unpersist();
        files.writeText(new Path(staging, "report.json"), report.toJson());
        return report;
    }

    private Phase phase(String what) {
        return new Phase(what, JavaSparkContext.fromSparkContext(spark.sparkContext()).statusTracker(), out, PHASE_TICK);
    }

    /** Balanced repeats per concept, or none when each image keeps its folder's repeats. */
    private Map<String, Integer> conceptRepeats(Dataset<Row> kept) {
        if (!settings.bucket().balanceConcepts()) {
            return Map.of();
        }
        List<ConceptCount> counts = kept.groupBy("concept")
                .agg(org.apache.spark.sql.functions.count("*").as("images"),
                        org.apache.spark.sql.functions.max("repeats").as("repeats"))
                .collectAsList().stream()
                .map(r -> new ConceptCount(r.getAs("concept"), r.<Long>getAs("images").intValue(), r.getAs("repeats")))
                .toList();
        return ConceptBalancer.repeats(counts, true);
    }

    private PrepReport report(List<SourcePlanner.PlannedInput> planned, Dataset<Row> kept, Dataset<Row> rejected,
                              Path acceptedPath, long total, int partitions, long start) {
        Map<String, Long> acceptedByInput = new HashMap<>();
        kept.groupBy("input").count().collectAsList()
                .forEach(r -> acceptedByInput.put(r.getAs("input"), r.getAs("count")));
        Map<String, Long> rejectedByInput = new HashMap<>();
        TreeMap<String, Long> byReason = new TreeMap<>();
        for (Row r : rejected.groupBy("input", "reason").count().collectAsList()) {
            rejectedByInput.merge(r.getAs("input"), r.getAs("count"), Long::sum);
            byReason.merge(r.getAs("reason"), r.getAs("count"), Long::sum);
        }
        TreeMap<String, Long> byBucket = new TreeMap<>();
        spark.read().parquet(acceptedPath.toString()).groupBy("bucket_width", "bucket_height").count()
                .collectAsList()
                .forEach(r -> byBucket.put(r.getAs("bucket_width") + "x" + r.getAs("bucket_height"), r.getAs("count")));

        List<PrepReport.InputReport> perInput = planned.stream()
                .map(p -> new PrepReport.InputReport(p.input(), p.format(), p.total(),
                        acceptedByInput.getOrDefault(p.input(), 0L), rejectedByInput.getOrDefault(p.input(), 0L)))
                .toList();
        long accepted = acceptedByInput.values().stream().mapToLong(Long::longValue).sum();
        long rejectedCount = rejectedByInput.values().stream().mapToLong(Long::longValue).sum();
        if (accepted + rejectedCount != total) {
            throw new IllegalStateException("lost track of inputs: " + total + " in, " + accepted
                    + " accepted + " + rejectedCount + " rejected out");
        }
        return new PrepReport(files.qualify(settings.output()).toString(), total, accepted, rejectedCount,
                byReason, byBucket, perInput, partitions, (System.nanoTime() - start) / 1e9);
    }
}
