package org.sdspark.jobs.latents;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import org.apache.hadoop.fs.Path;
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
import org.sdspark.model.vae.VaeIdentity;
import org.sdspark.model.vae.VaeImageEncoder;
import org.sdspark.prep.LatentSettings;

/**
 * Caches VAE latents of a committed prepared dataset into a new version of it: {@code accepted/}
 * with the latent columns ({@link LatentColumns}), {@code rejected/} with the input's rejections
 * plus rows whose image could not be encoded, {@code latents.json} (what the latents were made
 * with), {@code latents_report.json}, and the input's reports; written to a staging directory and
 * renamed into place, like {@code prep}.
 */
public final class LatentsJob {
    private static final String KEY = LatentSettings.PATH;
    private static final List<String> COLUMNS = List.of("id", "source", "image", "width", "height", "bucket_width",
            "bucket_height", "resized_width", "resized_height", "crop_left", "crop_top");

    private final SparkSession spark;
    private final LatentSettings settings;
    private final VaeIdentity vae;
    private final HadoopFiles files;
    private final Path input;
    private final PrintStream out;

    private LatentsJob(SparkSession spark, LatentSettings settings, VaeIdentity vae, PrintStream out) {
        this.spark = spark;
        this.settings = settings;
        this.vae = vae;
        this.files = HadoopFiles.of(spark);
        this.input = files.qualify(settings.input());
        this.out = out;
    }

    /**
     * Reads {@code sdspark.latents} and checks, before any work, that the input is a committed
     * dataset, that the output may be written, and that the VAE loads (on the driver's CPU, which
     * also gives the identity every executor's copy must match).
     */
    public static LatentsJob create(SparkSession spark, Config config, PrintStream out) throws IOException {
        LatentSettings settings = LatentSettings.from(config);
        HadoopFiles files = HadoopFiles.of(spark);
        DatasetStage.checkInputAndOutput(files, config, KEY, files.qualify(settings.input()), settings.output(),
                settings.overwrite());
        VaeIdentity vae = DatasetStage.checkModel(config, KEY, settings.model(), "the VAE", folder -> {
            try (VaeImageEncoder encoder = VaeImageEncoder.load(folder, Device.cpu(), DataType.FLOAT32)) {
                return encoder.identity();
            }
        });
        return new LatentsJob(spark, settings, vae, out);
    }

    public LatentsReport run() throws IOException {
        long start = System.nanoTime();
        OutputCommit commit = new OutputCommit(files, settings.output(), settings.overwrite(), KEY + ".overwrite");
        return commit.run(spark, out, staging -> write(staging, start));
    }

    private LatentsReport write(Path staging, long start) throws IOException {
        Dataset<Row> accepted = DatasetStage.readAccepted(spark, KEY, input, COLUMNS)
                .drop(LatentColumns.ALL.toArray(String[]::new));
        int partitions = settings.partitions() > 0 ? settings.partitions() : accepted.rdd().getNumPartitions();
        Dataset<Row> source = settings.partitions() > 0 ? accepted.repartition(partitions) : accepted;
        String dtype = computeType();
        FloatStorage storage = FloatStorage.of(settings.storage().equals("auto") ? dtype : settings.storage());
        long rows = accepted.count();
        out.printf("cache-latents: %d rows, %d partitions, VAE in %s, stored as %s%s%n", rows, partitions, dtype,
                storage.code(), settings.flip() ? ", with mirror images" : "");

        LongAccumulator done = spark.sparkContext().longAccumulator("images encoded");
        StageRows stageRows = new StageRows(accepted.schema(), LatentColumns.fields(settings.flip()));
        Dataset<Row> encoded = source.mapPartitions(new PartitionEncoder(settings, dtype, storage, vae, stageRows, done),
                Encoders.row(stageRows.schema())).persist(StorageLevel.MEMORY_AND_DISK());
        long encodeStart = System.nanoTime();
        try (Progress progress = new Progress("cache-latents", rows, done, out, Duration.ofSeconds(2))) {
            encoded.count();
        }
        double encodeSeconds = (System.nanoTime() - encodeStart) / 1e9;
        SortedMap<String, Long> byReason = DatasetStage.writeRows(spark, files, input, staging, encoded);
        encoded.unpersist();

        long rejected = byReason.values().stream().mapToLong(Long::longValue).sum();
        LatentCacheInfo info = new LatentCacheInfo(settings.model(), vae.encoderSha256(), vae.scalingFactor(),
                vae.shiftFactor(), vae.latentChannels(), dtype, storage.code(), settings.flip(),
                settings.resample().name().toLowerCase(Locale.ROOT));
        LatentsReport report = new LatentsReport(input.toString(), files.qualify(settings.output()).toString(),
                settings.model(), rows, rows - rejected, rejected, byReason, partitions, settings.batchSize(), dtype,
                storage.code(), settings.flip(), encodeSeconds, encodeSeconds > 0 ? (rows - rejected) / encodeSeconds : 0,
                (System.nanoTime() - start) / 1e9);
        files.writeText(new Path(staging, LatentCacheInfo.FILE), info.toJson());
        files.writeText(new Path(staging, "latents_report.json"), report.toJson());
        DatasetStage.carry(files, input, staging, "report.json");
        DatasetStage.carry(files, input, staging, "caption_report.json");
        return report;
    }

    /**
     * The VAE's precision. {@code auto} is decided here, once for every executor, so that all rows
     * are stored alike: float16 when Spark gives tasks GPUs, float32 otherwise.
     */
    private String computeType() {
        if (!settings.dtype().equals("auto")) {
            return settings.dtype();
        }
        double gpus = Double.parseDouble(spark.conf().get("spark.task.resource.gpu.amount", "0"));
        return gpus > 0 ? "float16" : "float32";
    }
}
