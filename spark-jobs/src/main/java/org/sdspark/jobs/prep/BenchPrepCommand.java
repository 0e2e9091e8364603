package org.sdspark.jobs.prep;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;
import org.sdspark.prep.PrepSettings;
import org.sdspark.prep.filter.Hamming;
import org.sdspark.prep.image.ImageDecoder;
import org.sdspark.prep.synthetic.SyntheticDataset;

/** `sdspark bench prep`: images per second per core of prep's image pass, against Pillow on the same files. */
public final class BenchPrepCommand implements Command {

    private static final long SEED = 7L;

    @Override
    public String name() {
        return "bench prep";
    }

    @Override
    public String summary() {
        return "measure prep throughput (decode + filter + hash + bucket) in images/s per core, against Pillow";
    }

    @Override
    public String help() {
        return """
                usage: sdspark bench prep [--images N] [--cores K] [--rounds R] [--warmup W] [--dir DIR]
                                          [--reference] [--python PATH]

                Generates (once, then cached) N photo-like JPEGs of 0.3 to 4 megapixels with
                captions, then times the per-image work of `sdspark prep` on them with Spark
                local[K]: plan and read captions, read each file, probe its header, decode it,
                quality checks, SHA-256, perceptual hash and bucket assignment. Duplicate
                detection and writing are not timed.

                With --reference, each round also runs a Python/Pillow script doing the same
                per-image work on the same files with K processes (bundled with sdspark; needs
                Pillow and numpy): once decoding whole images as a plain script does, once in
                Pillow's draft mode (DCT-domain reduced decoding, like sdspark). Rounds alternate
                sdspark and Pillow so that a busy machine slows both alike; the ratio is the
                median of the rounds' ratios. It also prints how often both agree on verdict,
                size and bucket, and how far apart their perceptual hashes are.

                Prints a line per round, then one JSON line: rates per core, ratios, peak memory.

                options:
                  --images N     images in the benchmark set (default 500)
                  --cores K      Spark local cores and Pillow processes (default: all of this machine)
                  --rounds R     timed passes of each (default 3)
                  --warmup W     images sdspark inspects untimed before the rounds (default: all,
                                 one full pass; the JVM's compiler needs it under load); the
                                 reference, all C underneath, warms up on min(W, 20)
                  --dir DIR      cache directory for the set (default: $TMPDIR/sdspark-bench)
                  --reference    also time the Pillow reference
                  --python PATH  interpreter for the reference (default: python3)
                """;
    }

    @Override
    public int run(List<String> args) throws Exception {
        Options options = Options.parse(args, Set.of("--images", "--cores", "--rounds", "--warmup", "--dir", "--python"),
                Set.of("--reference"));
        int images = options.intValue("--images", 500);
        int cores = options.intValue("--cores", Runtime.getRuntime().availableProcessors());
        int rounds = options.intValue("--rounds", 3);
        int warmup = options.intValue("--warmup", images);
        if (images < 1 || cores < 1 || rounds < 1 || warmup < 0) {
            throw new UsageError("--images, --cores and --rounds must be >= 1, --warmup >= 0");
        }
        Path root = options.value("--dir").map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "sdspark-bench")).toAbsolutePath();
        Path set = root.resolve("jpeg-" + images + "-seed" + SEED);
        if (!Files.exists(set.resolve(".complete"))) {
            System.err.println("bench: generating " + images + " JPEGs of 0.3-4 MP in " + set + " (once) ...");
            SyntheticDataset.writeBenchmarkSet(set, SEED, images);
            Files.writeString(set.resolve(".complete"), "");
        }
        Optional<PillowReference> reference = Optional.empty();
        if (options.flag("--reference")) {
            PillowReference pillow = new PillowReference(options.value("--python").orElse("python3"),
                    Files.createTempDirectory("sdspark-bench-pillow"));
            Optional<String> missing = pillow.unavailable();
            if (missing.isPresent()) throw new UsageError("--reference: " + missing.get() + "; choose one with --python PATH");
            reference = Optional.of(pillow);
        }

        Config config = ConfigLoader.load(Optional.empty(), List.of(
                "sdspark.prep.output=" + root.resolve("unused-output"),
                "sdspark.prep.inputs=[{path=" + Hocon.quote(set.toString()) + "}]"));
        PrepSettings settings = PrepSettings.from(config);
        SparkSession spark = SparkSessions.create("sdspark bench prep",
                new SparkSettings("local[" + cores + "]", SparkSettings.from(config).conf()), S3Settings.from(config));
        PrepBenchPass pass = new PrepBenchPass(spark, settings, set.toString());
        List<Path> files = jpegs(set);
        System.out.printf(Locale.ROOT, "bench prep: %d JPEGs of %.1f MB in all, %s; local[%d], %d rounds after %d warm-up images%n",
                files.size(), files.stream().mapToLong(BenchPrepCommand::size).sum() / 1e6, set, cores, rounds, warmup);
        System.out.println("sdspark decodes JPEGs with " + ImageDecoder.jpegDecoder());

        if (warmup > 0) pass.run(warmup);
        List<BenchOutcome> ours = new ArrayList<>();
        List<BenchOutcome> plain = new ArrayList<>();
        List<BenchOutcome> draft = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            BenchOutcome o = pass.run(0);
            ours.add(o);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d: %s", round, rate(o)));
            if (reference.isPresent()) {
                BenchOutcome p = reference.get().run(files, settings, cores, Math.min(warmup, 20), false);
                BenchOutcome d = reference.get().run(files, settings, cores, Math.min(warmup, 20), true);
                plain.add(p);
                draft.add(d);
                line.append("; ").append(rate(p)).append("; ").append(rate(d));
            }
            System.out.println(line);
        }

        double perCore = median(ours, BenchOutcome::perCore);
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{\"benchmark\":\"prep\",\"images\":%d,\"cores\":%d,\"rounds\":%d,\"images_per_second_per_core\":%.1f,"
                        + "\"peak_rss_mb\":%.0f", ours.get(0).images(), cores, rounds, perCore, PrepBenchPass.peakRssMb()));
        if (reference.isPresent()) {
            System.out.println("agreement, sdspark vs " + plain.get(0).who() + ": " + agreement(ours.get(0), plain.get(0)));
            json.append(String.format(Locale.ROOT,
                    ",\"pillow_per_core\":%.1f,\"ratio\":%.2f,\"pillow_draft_per_core\":%.1f,\"ratio_to_draft\":%.2f,"
                            + "\"pillow_peak_rss_mb\":%.0f",
                    median(plain, BenchOutcome::perCore), medianRatio(ours, plain), median(draft, BenchOutcome::perCore),
                    medianRatio(ours, draft), plain.stream().mapToDouble(BenchOutcome::peakRssMb).max().orElse(0)));
        }
        System.out.println(json.append('}'));
        return 0;
    }

    private static String rate(BenchOutcome o) {
        return String.format(Locale.ROOT, "%s %.1f images/s per core (%d in %.2f s)", o.who(), o.perCore(), o.images(), o.seconds());
    }

    /** Same verdict, same upright size and bucket, and perceptual-hash distances over images both accepted. */
    static String agreement(BenchOutcome a, BenchOutcome b) {
        int sameVerdict = 0;
        int sameBucket = 0;
        int both = 0;
        int[] distances = new int[65];
        for (var e : a.verdicts().entrySet()) {
            BenchOutcome.Verdict x = e.getValue();
            BenchOutcome.Verdict y = b.verdicts().get(e.getKey());
            if (y == null) continue;
            if (Objects.equals(x.reason(), y.reason())) sameVerdict++;
            if (x.reason() != null || y.reason() != null) continue;
            both++;
            if (x.width() == y.width() && x.height() == y.height() && x.bucket().equals(y.bucket())) sameBucket++;
            distances[Hamming.distance(x.phash(), y.phash())]++;
        }
        int max = 0;
        long sum = 0;
        for (int d = 0; d <= 64; d++) {
            if (distances[d] > 0) max = d;
            sum += (long) d * distances[d];
        }
        return String.format(Locale.ROOT, "%d/%d same verdict; %d/%d same size and bucket; pHash distance mean %.2f, max %d",
                sameVerdict, a.verdicts().size(), sameBucket, both, both == 0 ? 0.0 : (double) sum / both, max);
    }

    private static double median(List<BenchOutcome> runs, ToDoubleFunction<BenchOutcome> f) {
        return median(runs.stream().mapToDouble(f).toArray());
    }

    private static double medianRatio(List<BenchOutcome> ours, List<BenchOutcome> theirs) {
        double[] ratios = new double[ours.size()];
        for (int i = 0; i < ratios.length; i++) ratios[i] = ours.get(i).perCore() / theirs.get(i).perCore();
        return median(ratios);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static List<Path> jpegs(Path set) throws IOException {
        try (Stream<Path> all = Files.list(set)) {
            return all.filter(p -> p.getFileName().toString().endsWith(".jpg")).sorted().toList();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
