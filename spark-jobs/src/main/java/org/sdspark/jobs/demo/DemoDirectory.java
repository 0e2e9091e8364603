package org.sdspark.jobs.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.sdspark.jobs.UsageError;

/**
 * A demo's working directory: emptied before each run, but only if an earlier run of the same
 * demo made it (its marker file), so a mistyped --dir never deletes someone's files.
 */
public final class DemoDirectory {
    private DemoDirectory() {
    }

    /** Empties {@code dir} (made by {@code command} before, per {@code marker}) or creates it. */
    public static void prepare(Path dir, String marker, String command) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.exists(dir.resolve(marker))) {
                throw new UsageError(dir + " exists and was not made by the demo; choose another --dir");
            }
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(marker), "created by " + command + "\n");
    }
}
