package org.sdspark.jobs.caption;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.sdspark.jobs.prep.HadoopFiles;
import org.sdspark.jobs.prep.OutputCommit;
import org.sdspark.jobs.prep.Progress;
import org.sdspark.jobs.stage.DatasetStage;
import org.sdspark.jobs.stage.StageRows;
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
        DatasetStage.checkInputAndOutput(job.files, config, KEY, job.input, settings.output(), settings.overwrite());
        DatasetStage.checkModel(config, KEY, settings.model(), "the model", folder -> {
            BlipConfig.read(folder.resolve("config.json"));
            BlipImageProcessor.load(folder);
            return BertTokenizer.load(folder);
        });
        return job;
    }

    public CaptionReport run() throws IOException {
        long start = System.nanoTime();
        OutputCommit commit = new OutputCommit(files, settings.output(), settings.overwrite(), KEY + ".overwrite");
        return commit.run(spark, out, staging -> write(staging, start));
    }

    private CaptionReport write(Path staging, long start) throws IOException {
        Dataset<Row> accepted = DatasetStage.readAccepted(spark, KEY, input, COLUMNS);
        int partitions = settings.partitions() > 0 ? settings.partitions() : accepted.rdd().getNumPartitions();
        Dataset<Row> source = settings.partitions() > 0 ? accepted.repartition(partitions) : accepted;
        CaptionMode mode = settings.mode();
        long rows = accepted.count();
        long toCaption = accepted.filter((FilterFunction<Row>) r -> mode.captions(r.getAs("caption"))).count();
        out.printf("caption: %d rows, %d to caption (%s mode), %d partitions%n", rows, toCaption, mode.code(), partitions);

        LongAccumulator done = spark.sparkContext().longAccumulator("images captioned");
        StageRows stageRows = new StageRows(accepted.schema());
        Dataset<Row> captioned = source.mapPartitions(new Captioner(settings, stageRows, done), Encoders.row(stageRows.schema()))
                .persist(StorageLevel.MEMORY_AND_DISK());
        long captionStart = System.nanoTime();
        try (Progress progress = new Progress("caption", toCaption, done, out, Duration.ofSeconds(2))) {
            captioned.count();
        }
        double captionSeconds = (System.nanoTime() - captionStart) / 1e9;

        SortedMap<String, Long> byReason = DatasetStage.writeRows(spark, files, input, staging, captioned);
        captioned.unpersist();
        if (settings.kohyaExport()) {
            spark.read().parquet(new Path(staging, "accepted").toString())
                    .foreachPartition(new KohyaExport(files, new Path(staging, "kohya")));
        }
        long rejectedCount = byReason.values().stream().mapToLong(Long::longValue).sum();
        long captionedCount = toCaption - rejectedCount;
        CaptionReport report = new CaptionReport(input.toString(), files.qualify(settings.output()).toString(),
                settings.model(), mode.code(), rows, captionedCount, rows - toCaption, rejectedCount, byReason, partitions,
                settings.batchSize(), captionSeconds, captionSeconds > 0 ? captionedCount / captionSeconds : 0,
                (System.nanoTime() - start) / 1e9);
        files.writeText(new Path(staging, "caption_report.json"), report.toJson());
        DatasetStage.carry(files, input, staging, "report.json");
        return report;
    }
}
