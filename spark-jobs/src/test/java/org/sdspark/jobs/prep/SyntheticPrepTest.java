package org.sdspark.jobs.prep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.synthetic.SyntheticDataset;
import org.sdspark.prep.synthetic.SyntheticManifest;

/** The whole job on the generated dataset whose right answer for every file is known. */
class SyntheticPrepTest {

    @TempDir
    static Path dir;
    static Path input;
    static SyntheticManifest manifest;

    @BeforeAll
    static void generate() throws IOException {
        input = dir.resolve("input");
        manifest = SyntheticDataset.write(input, 42L, 40);
    }

    private static String conf(Path output, int partitions, boolean overwrite) {
        return "sdspark.prep { inputs = [{ path = " + Hocon.quote(input) + " }]\n"
                + "output = " + Hocon.quote(output) + "\n"
                + "partitions = " + partitions + "\noverwrite = " + overwrite + " }";
    }

    @Test
    void everyPlantedFileHasItsReasonAndEveryGoodImageItsBucket() throws IOException {
        Path output = dir.resolve("single");
        PrepReport report = PrepRuns.run(dir, conf(output, 1, false));

        OutputTables tables = new OutputTables(SharedSpark.get(), output.toString(), report.perInput().get(0).path());
        ManifestCheck check = ManifestCheck.of(manifest, tables.accepted(), tables.rejected());
        assertThat(check.mismatches()).isEmpty();
        assertThat(check.good()).isEqualTo(40);
        assertThat(manifest.planted().stream().map(SyntheticManifest.PlantedFile::reason))
                .as("the dataset plants every reason").containsAll(EnumSet.allOf(Reason.class));
        assertThat(report.inputs()).isEqualTo(report.accepted() + report.rejected())
                .isEqualTo(manifest.good().size() + manifest.planted().size());
        assertThat(report.rejectedByReason().keySet()).hasSize(Reason.values().length);
        assertThat(report.acceptedByBucket().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(40);
        assertThat(PrepReport.fromJson(Files.readString(output.resolve("report.json")))).isEqualTo(report);
        assertThat(output.resolve("_SUCCESS")).exists();
    }

    @Test
    void fourPartitionsGiveTheSameResultAsOne() throws IOException {
        Path one = dir.resolve("p1");
        Path four = dir.resolve("p4");
        PrepReport a = PrepRuns.run(dir, conf(one, 1, false));
        PrepReport b = PrepRuns.run(dir, conf(four, 4, false));

        SparkSession spark = SharedSpark.get();
        assertThat(spark.read().parquet(four + "/accepted").rdd().getNumPartitions()).isGreaterThan(1);
        for (String table : List.of("accepted", "rejected")) {
            Dataset<Row> x = spark.read().parquet(one + "/" + table);
            Dataset<Row> y = spark.read().parquet(four + "/" + table);
            assertThat(x.count()).isEqualTo(y.count()).isPositive();
            assertThat(x.exceptAll(y).count()).as(table + " rows only in the 1-partition run").isZero();
            assertThat(y.exceptAll(x).count()).as(table + " rows only in the 4-partition run").isZero();
        }
        assertThat(b.rejectedByReason()).isEqualTo(a.rejectedByReason());
        assertThat(b.acceptedByBucket()).isEqualTo(a.acceptedByBucket());
        assertThat(b.partitions()).isEqualTo(4);
    }

    @Test
    void existingOutputIsKeptUnlessOverwriteAndFailedRunsLeaveNoTrace() throws IOException {
        Path output = dir.resolve("rerun");
        PrepRuns.run(dir, conf(output, 2, false));
        String firstReport = Files.readString(output.resolve("report.json"));

        assertThatThrownBy(() -> PrepRuns.run(dir, conf(output, 2, false)))
                .isInstanceOf(UsageError.class)
                .hasMessageContaining("already exists")
                .hasMessageContaining("sdspark.prep.overwrite");

        // the same directory through a file system that fails once accepted/ has been written
        SharedSpark.get().sparkContext().hadoopConfiguration()
                .set("fs." + FailingFileSystem.SCHEME + ".impl", FailingFileSystem.class.getName());
        String failing = FailingFileSystem.SCHEME + "://" + output.toUri().getPath();
        assertThatThrownBy(() -> PrepRuns.run(dir, conf(output, 2, true).replace(
                Hocon.quote(output), Hocon.quote(failing))))
                .hasStackTraceContaining("injected failure creating");
        assertThat(Files.readString(output.resolve("report.json"))).isEqualTo(firstReport);
        assertThat(output.resolve("accepted")).isDirectoryContaining(p -> p.toString().endsWith(".parquet"));
        assertThat(PrepRuns.stagingDirs(output)).isEmpty();

        PrepRuns.run(dir, conf(output, 2, true));
        assertThat(Files.readString(output.resolve("report.json"))).isNotEqualTo(firstReport);
        assertThat(output.resolve("_SUCCESS")).exists();
        assertThat(PrepRuns.stagingDirs(output)).isEmpty();
    }

    @Test
    void missingInputPathFailsBeforeAnyWorkNamingKeyAndFile() {
        Path output = dir.resolve("never");
        assertThatThrownBy(() -> PrepRuns.run(dir, "sdspark.prep {\n  output = " + Hocon.quote(output)
                + "\n  inputs = [{ path = " + Hocon.quote(dir.resolve("no-such-folder")) + " }]\n}"))
                .isInstanceOf(UsageError.class)
                .hasMessageMatching("(?s).*prep.*\\.conf: 3.*")
                .hasMessageContaining("sdspark.prep.inputs[0].path")
                .hasMessageContaining("no-such-folder does not exist");
        assertThat(output).doesNotExist();
    }
}
