package org.sdspark.jobs.prep;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;
import org.sdspark.jobs.demo.DemoDirectory;
import org.sdspark.prep.synthetic.SyntheticDataset;
import org.sdspark.prep.synthetic.SyntheticManifest;

/** `sdspark demo`: the prep pipeline on a generated dataset whose right answers are known. */
public final class DemoCommand implements Command {

    /** Marks a directory the demo created, so a rerun may delete it and nothing else. */
    private static final String MARKER = ".sdspark-demo";
    private static final long SEED = 20241124L;

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "generate a synthetic dataset with planted bad files, prep it, check every outcome";
    }

    @Override
    public String help() {
        return """
                usage: sdspark demo [--dir DIR] [--images N] [--partitions P]

                Writes a few hundred images of coloured shapes with captions (folders with
                metadata.jsonl/metadata.csv, sidecar captions, a kohya 10_shapes folder, unicode
                names) plus files planted to trip every reject reason, runs `sdspark prep` on it
                and checks each file's outcome against the generator's manifest. Exits non-zero
                on any mismatch.

                options:
                  --dir DIR        working directory (default: $TMPDIR/sdspark-demo); input/,
                                   output/ and demo.conf are written there, and a previous
                                   demo directory is replaced
                  --images N       good images to generate (default 300)
                  --partitions P   Spark partitions for the image pass (default: Spark's choice)
                """;
    }

    @Override
    public int run(List<String> args) throws Exception {
        Options options = Options.parse(args, Set.of("--dir", "--images", "--partitions"));
        Path dir = options.value("--dir").map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "sdspark-demo")).toAbsolutePath();
        int images = options.intValue("--images", 300);
        int partitions = options.value("--partitions").isPresent() ? options.intValue("--partitions", 1) : 0;

        DemoDirectory.prepare(dir, MARKER, "sdspark demo");
        Path input = dir.resolve("input");
        System.out.println("demo: writing " + images + " good images and the planted bad files to " + input);
        SyntheticManifest manifest = SyntheticDataset.write(input, SEED, images);

        Path conf = dir.resolve("demo.conf");
        Files.writeString(conf, """
                # Written by `sdspark demo`; run it yourself with: bin/sdspark prep --config %s
                sdspark.prep {
                  inputs = [ { path = %s } ]
                  output = %s
                  overwrite = true
                  partitions = %d
                }
                """.formatted(conf, Hocon.quote(input), Hocon.quote(dir.resolve("output")), partitions));
        Config config = ConfigLoader.load(Optional.of(conf), List.of());

        SparkSession spark = SparkSessions.create("sdspark demo", SparkSettings.from(config), S3Settings.from(config));
        PrepReport report = PrepJob.create(spark, config, System.out).run();
        System.out.println(report.toJson());

        OutputTables tables = new OutputTables(spark, report.output(), report.perInput().get(0).path());
        ManifestCheck check = ManifestCheck.of(manifest, tables.accepted(), tables.rejected());
        check.mismatches().forEach(m -> System.out.println("MISMATCH " + m));
        System.out.println(check.summary());
        System.out.println(check.passed() ? "demo: OK" : "demo: FAILED (" + check.mismatches().size() + " mismatches)");
        return check.passed() ? 0 : 1;
    }
}
