package org.sdspark.jobs.prep;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.config.ConfigLoader;

/** Runs the prep job the way `sdspark prep --config FILE` does, on the shared test session. */
final class PrepRuns {

    private PrepRuns() {
    }

    static PrepReport run(Path dir, String hocon, String... sets) throws IOException {
        Path conf = Files.createTempFile(dir, "prep", ".conf");
        Files.writeString(conf, hocon);
        Config config = ConfigLoader.load(Optional.of(conf), List.of(sets));
        return PrepJob.create(SharedSpark.get(), config, System.out).run();
    }

    /** `accepted/` rows by source. */
    static Map<String, Row> accepted(String output) {
        Map<String, Row> bySource = new TreeMap<>();
        SharedSpark.get().read().parquet(output + "/accepted").collectAsList()
                .forEach(r -> bySource.put(r.getAs("source"), r));
        return bySource;
    }

    /** `rejected/` reasons by source. */
    static Map<String, String> rejected(String output) {
        Map<String, String> bySource = new TreeMap<>();
        SharedSpark.get().read().parquet(output + "/rejected").collectAsList()
                .forEach(r -> bySource.put(r.getAs("source"), r.getAs("reason")));
        return bySource;
    }

    static String hoconString(Object value) {
        return com.typesafe.config.ConfigValueFactory.fromAnyRef(value.toString()).render();
    }
}
