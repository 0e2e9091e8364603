package org.sdspark.jobs.train.data;

import com.typesafe.config.Config;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;
import org.sdspark.jobs.prep.PrepJob;
import org.sdspark.prep.image.ImageDecoder;
import org.sdspark.prep.plan.EpochPlanner;
import org.sdspark.prep.plan.PlanSettings;
import org.sdspark.prep.plan.Position;
import org.sdspark.prep.synthetic.SyntheticDataset;
import org.sdspark.prep.tensor.ResampleFilter;
import org.sdspark.prep.tensor.TrainingImageTransform;

/** `sdspark bench data`: training images/s from prepared Parquet, against decoding alone. */
public final class BenchDataCommand implements Command {
    private static final long SEED = 7L;
    private static final int WARMUP = 5;
    private static final int TIMED = 20;

    @Override
    public String name() {
        return "bench data";
    }

    @Override
    public String summary() {
        return "measure training-data throughput (Parquet read + decode + resize/crop/flip/normalise) in images/s";
    }

    @Override
    public String help() {
        return """
                usage: sdspark bench data [--images N] [--threads T] [--batch B] [--dir DIR]

                Generates (once) N photo-like JPEGs of 0.3 to 4 megapixels, prepares them (once,
                buckets of about 512x512), then times:
                  reference  ImageDecoder alone on one thread, over images already in memory;
                  loader     the training data path for one rank: page reads from the Parquet,
                             decode, Pillow-exact resize, bucket crop, flip, [-1, 1] CHW floats,
                             on T decode threads with prefetch, in micro-batches of B.
                Each runs 5 warm-up rounds (images, resp. micro-batches) then at least 20 timed.
                Prints one JSON line: images/s of both, their ratio, and the peak heap.

                options:
                  --images N    images in the set (default 300)
                  --threads T   decode threads of the loader (default: cores of this machine)
                  --batch B     micro-batch size (default 4)
                  --dir DIR     cache directory (default: $TMPDIR/sdspark-bench)
                """;
    }

    @Override
    public int run(List<String> args) throws Exception {
        Options options = Options.parse(args, Set.of("--images", "--threads", "--batch", "--dir"));
        int images = options.intValue("--images", 300);
        int threads = options.intValue("--threads", Runtime.getRuntime().availableProcessors());
        int batch = options.intValue("--batch", 4);
        Path root = options.value("--dir").map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "sdspark-bench")).toAbsolutePath();
        Path prepared = prepare(root, images);

        Configuration conf = new Configuration();
        PreparedDataset dataset = PreparedDataset.read(prepared.toString(), conf);
        double reference = decodeOnly(dataset, conf);
        EpochPlanner planner = new EpochPlanner(dataset.planImages(), List.of(), new PlanSettings(SEED, batch, 1, 1, 0.5, 0));
        int steps = Math.max(TIMED, planner.stepsPerEpoch() - WARMUP);
        resetPeaks();
        long timedImages = 0;
        long start = 0;
        TrainingImageTransform transform = new TrainingImageTransform(ResampleFilter.BILINEAR);
        try (ShardLoader loader = new ShardLoader(planner, 0, Position.START, dataset, Optional.empty(),
                d -> new PixelSource(d, conf, transform), threads, 2 * threads)) {
            for (int s = 0; s < WARMUP + steps; s++) {
                if (s == WARMUP) start = System.nanoTime();
                TrainingStep step = loader.next();
                if (s >= WARMUP) timedImages += step.microBatches().get(0).samples().size();
            }
        }
        double loader = timedImages / ((System.nanoTime() - start) / 1e9);
        System.out.printf(Locale.ROOT,
                "{\"benchmark\":\"data\",\"images\":%d,\"threads\":%d,\"batch\":%d,\"timed_images\":%d,"
                        + "\"reference_decode_images_per_second_1_thread\":%.1f,\"loader_images_per_second\":%.1f,"
                        + "\"ratio\":%.2f,\"peak_heap_mb\":%.0f}%n",
                dataset.rows().size(), threads, batch, timedImages, reference, loader, loader / reference, peakHeapMb());
        return 0;
    }

    private static Path prepare(Path root, int images) throws Exception {
        Path set = root.resolve("jpeg-" + images + "-seed" + SEED);
        if (!Files.exists(set.resolve(".complete"))) {
            System.err.println("bench: generating " + images + " JPEGs of 0.3-4 MP in " + set + " (once) ...");
            SyntheticDataset.writeBenchmarkSet(set, SEED, images);
            Files.writeString(set.resolve(".complete"), "");
        }
        Path prepared = root.resolve("prepared-" + images + "-seed" + SEED);
        if (!Files.exists(prepared.resolve("_SUCCESS"))) {
            System.err.println("bench: preparing " + set + " into " + prepared + " (once) ...");
            Config config = ConfigLoader.load(Optional.empty(), List.of(
                    "sdspark.prep.inputs=[{path=" + Hocon.quote(set.toString()) + "}]",
                    "sdspark.prep.output=" + Hocon.quote(prepared.toString()),
                    "sdspark.prep.overwrite=true"));
            SparkSession spark = SparkSessions.create("sdspark bench data", SparkSettings.from(config), S3Settings.from(config));
            PrepJob.create(spark, config, System.err).run();
            spark.stop();
        }
        return prepared;
    }

    /** Decode alone, one thread, bytes already in memory: what a naive loader would reach per core. */
    private static double decodeOnly(PreparedDataset dataset, Configuration conf) throws Exception {
        List<DatasetRow> rows = dataset.rows().subList(0, Math.min(dataset.rows().size(), WARMUP + 3 * TIMED));
        List<byte[]> bytes = new ParquetImages(dataset, conf).read(rows);
        for (int i = 0; i < WARMUP; i++) ImageDecoder.decode(bytes.get(i));
        long start = System.nanoTime();
        for (int i = WARMUP; i < bytes.size(); i++) ImageDecoder.decode(bytes.get(i));
        return (bytes.size() - WARMUP) / ((System.nanoTime() - start) / 1e9);
    }

    private static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static double peakHeapMb() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1048576.0;
    }
}
