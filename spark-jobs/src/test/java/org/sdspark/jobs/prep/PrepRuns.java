package org.sdspark.jobs.prep;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;

/**
 * Runs the prep job the way `sdspark prep --config FILE` does, on the shared test session, and
 * reads back what it (or a stage after it: caption, cache-latents) committed.
 */
public final class PrepRuns {

    private PrepRuns() {
    }

    public static PrepReport run(Path dir, String hocon, String... sets) throws IOException {
        Path conf = Files.createTempFile(dir, "prep", ".conf");
        Files.writeString(conf, hocon);
        Config config = ConfigLoader.load(Optional.of(conf), List.of(sets));
        return PrepJob.create(SharedSpark.get(), config, System.out).run();
    }

    /** `accepted/` rows by source. */
    public static Map<String, Row> accepted(String output) {
        return accepted(output, "source");
    }

    /** `accepted/` rows by the value of {@code column}. */
    public static Map<String, Row> accepted(String output, String column) {
        Map<String, Row> byColumn = new TreeMap<>();
        SharedSpark.get().read().parquet(output + "/accepted").collectAsList()
                .forEach(r -> byColumn.put(r.getAs(column), r));
        return byColumn;
    }

    /** `rejected/` reasons by source. */
    public static Map<String, String> rejected(String output) {
        Map<String, String> bySource = new TreeMap<>();
        SharedSpark.get().read().parquet(output + "/rejected").collectAsList()
                .forEach(r -> bySource.put(r.getAs("source"), r.getAs("reason")));
        return bySource;
    }

    /** Staging directories of runs into {@code output} left behind (there should be none). */
    public static List<Path> stagingDirs(Path output) throws IOException {
        try (Stream<Path> siblings = Files.list(output.getParent())) {
            return siblings.filter(p -> p.getFileName().toString().startsWith("." + output.getFileName() + ".sdspark-")).toList();
        }
    }
}
