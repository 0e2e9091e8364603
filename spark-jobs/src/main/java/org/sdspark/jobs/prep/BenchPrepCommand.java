package org.sdspark.jobs.prep;

import static org.apache.spark.sql.functions.col;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;
import org.sdspark.prep.InputFormat;
import org.sdspark.prep.InputSpec;
import org.sdspark.prep.PrepSettings;
import org.sdspark.prep.synthetic.SyntheticDataset;

/** `sdspark bench prep`: images per second per core for decode + filter + hash + bucket. */
public final class BenchPrepCommand implements Command {

    private static final long SEED = 7L;

    @Override
    public String name() {
        return "bench prep";
    }

    @Override
    public String summary() {
        return "measure prep throughput (decode + filter + hash + bucket) in images/s per core";
    }

    @Override
    public String help() {
        return """
                usage: sdspark bench prep [--images N] [--cores K] [--dir DIR]

                Generates (once, then cached) N photo-like JPEGs of 0.3 to 4 megapixels with
                captions, then times the per-image work of `sdspark prep` on them with Spark
                local[K]: read, header probe, decode, quality checks, SHA-256, perceptual hash
                and bucket assignment. Duplicate detection and writing are not timed.
                Prints one JSON line: images, cores, seconds, images/s and images/s per core.

                options:
                  --images N   images in the benchmark set (default 2000)
                  --cores K    Spark local cores (default: all of this machine)
                  --dir DIR    cache directory for the set (default: $TMPDIR/sdspark-bench)
                """;
    }

    @Override
    public int run(List<String> args) throws Exception {
        Options options = Options.parse(args, Set.of("--images", "--cores", "--dir"));
        int images = options.intValue("--images", 2000);
        int cores = options.intValue("--cores", Runtime.getRuntime().availableProcessors());
        Path root = options.value("--dir").map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "sdspark-bench")).toAbsolutePath();
        Path set = root.resolve("jpeg-" + images + "-seed" + SEED);
        Path complete = set.resolve(".complete");
        if (!Files.exists(complete)) {
            System.err.println("bench: generating " + images + " JPEGs of 0.3-4 MP in " + set + " (once) ...");
            SyntheticDataset.writeBenchmarkSet(set, SEED, images);
            Files.writeString(complete, "");
        }

        Config config = ConfigLoader.load(Optional.empty(), List.of(
                "sdspark.prep.output=" + root.resolve("unused-output"),
                "sdspark.prep.inputs=[{path=" + ConfigValueFactory.fromAnyRef(set.toString()).render() + "}]"));
        PrepSettings settings = PrepSettings.from(config);
        SparkSettings local = new SparkSettings("local[" + cores + "]", SparkSettings.from(config).conf());
        SparkSession spark = SparkSessions.create("sdspark bench prep", local, S3Settings.from(config));
        int usedCores = spark.sparkContext().defaultParallelism();

        HadoopFiles files = HadoopFiles.of(spark);
        InputSpec spec = new InputSpec(set.toString(), InputFormat.FOLDER, "", settings.ingest().captionColumn(),
                settings.ingest().imageColumn());
        long start = System.nanoTime();
        SourcePlanner.PlannedInput planned = new SourcePlanner(spark, files, settings.ingest()).plan(spec);
        LongAccumulator done = spark.sparkContext().longAccumulator("images inspected");
        long accepted = planned.candidates().repartition(usedCores * 4)
                .mapPartitions(new Inspector(files, settings.filter(), settings.ingest().requireCaption(), done),
                        Encoders.row(PrepSchema.INSPECTED))
                .filter(col("reason").isNull())
                .mapPartitions(new Bucketer(settings.bucket(), Map.of()), Encoders.row(PrepSchema.ACCEPTED))
                .count();
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = planned.candidateCount() / seconds;
        System.out.printf(Locale.ROOT,
                "{\"benchmark\":\"prep\",\"images\":%d,\"accepted\":%d,\"cores\":%d,\"seconds\":%.2f,"
                        + "\"images_per_second\":%.1f,\"images_per_second_per_core\":%.1f}%n",
                planned.candidateCount(), accepted, usedCores, seconds, rate, rate / usedCores);
        return 0;
    }
}
