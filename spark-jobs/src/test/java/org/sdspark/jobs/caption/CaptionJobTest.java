package org.sdspark.jobs.caption;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.jobs.prep.PrepRuns;
import org.sdspark.jobs.stage.ExecutorModels;
import org.sdspark.jobs.stage.StageInputs;
import org.sdspark.model.blip.BlipCaptioner;

/**
 * `sdspark caption` with the tiny BLIP of the model module's fixtures on a prepared dataset of a
 * few hundred images, a third of them with captions and one with corrupt bytes.
 */
class CaptionJobTest {
    private static final Path TINY_BLIP = Path.of("..", "model", "src", "test", "resources", "fixtures", "blip", "tiny-blip");
    private static final int IMAGES = 240;

    @TempDir
    static Path dir;
    static Path prepared;
    static Path small;
    static String corrupt;

    @BeforeAll
    static void prepare() throws IOException {
        prepared = dir.resolve("prepared");
        prep(writeImages(dir.resolve("raw"), IMAGES, 3, 1), dir.resolve("prepared-clean"));
        corrupt = StageInputs.withUndecodableImage(dir.resolve("prepared-clean"), prepared, col("caption").isNull());

        small = dir.resolve("prepared-small");
        prep(writeImages(dir.resolve("raw-small"), 12, 1, 2), small);
    }

    @Test
    void fillModeCaptionsOnlyMissingCaptionsTheSameWayOnOneOrFourPartitions() throws IOException {
        Path one = dir.resolve("captioned-1");
        Path four = dir.resolve("captioned-4");
        CaptionReport a = caption(prepared, one, "partitions = 1\nkohya-export = true");
        CaptionReport b = caption(prepared, four, "partitions = 4");

        Map<String, Row> before = bySource(prepared);
        Map<String, Row> after = bySource(one);
        long withCaption = before.values().stream().filter(r -> r.getAs("caption") != null).count();
        assertThat(withCaption).isEqualTo(IMAGES / 3);
        assertThat(a.rows()).isEqualTo(IMAGES);
        assertThat(a.unchanged()).isEqualTo(withCaption);
        assertThat(a.captioned()).isEqualTo(IMAGES - withCaption - 1);
        assertThat(a.rejectedByReason()).isEqualTo(Map.of("undecodable", 1L));
        assertThat(after).hasSize(IMAGES - 1).doesNotContainKey(corrupt);
        for (Map.Entry<String, Row> e : after.entrySet()) {
            Row old = before.get(e.getKey());
            Row now = e.getValue();
            if (old.getAs("caption") != null) {
                assertThat(now.<String>getAs("caption")).isEqualTo(old.getAs("caption"));
                assertThat(now.<String>getAs("caption_source")).isEqualTo(old.getAs("caption_source"));
            } else {
                assertThat(now.<String>getAs("caption")).isNotBlank();
                assertThat(now.<String>getAs("caption_source")).isEqualTo("blip");
            }
            assertThat(now.<byte[]>getAs("image")).isEqualTo(old.getAs("image"));
        }
        assertThat(rejected(one)).containsEntry(corrupt, "undecodable");
        assertThat(SharedSpark.get().read().parquet(one + "/rejected").count())
                .isEqualTo(SharedSpark.get().read().parquet(prepared + "/rejected").count() + 1);

        assertThat(b.partitions()).isEqualTo(4);
        assertThat(captions(four)).isEqualTo(captions(one));
        assertThat(ExecutorModels.loaded(BlipCaptioner.class)).as("one model per executor JVM, reused by every task").isEqualTo(1);

        for (Path out : List.of(one, four)) {
            assertThat(out.resolve("_SUCCESS")).exists();
            assertThat(out.resolve("report.json")).hasSameTextualContentAs(prepared.resolve("report.json"));
            assertThat(CaptionReport.fromJson(Files.readString(out.resolve("caption_report.json"))).captioned())
                    .isEqualTo(a.captioned());
            assertThat(PrepRuns.stagingDirs(out)).isEmpty();
        }
        Row some = after.values().iterator().next();
        Path kohya = one.resolve("kohya").resolve(KohyaExport.folder(some.getAs("repeats"), some.getAs("concept")));
        assertThat(kohya.resolve(some.getAs("id") + ".txt")).hasContent(some.getAs("caption"));
        assertThat(kohya.resolve(some.getAs("id") + "." + KohyaExport.extension(some.getAs("format")))).exists();
        try (Stream<Path> files = Files.walk(one.resolve("kohya"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".txt")).count()).isEqualTo(IMAGES - 1);
        }
    }

    @Test
    void replacePrependAndAppendCombineTheSameModelCaptionWithTheExistingOne() throws IOException {
        Map<String, String> existing = captions(small);
        assertThat(existing).hasSize(12).doesNotContainValue(null);
        Map<String, String> generated = captions(run(small, "replace", "replace"));
        Map<String, String> prepended = captions(run(small, "prepend", "prepend"));
        Map<String, String> appended = captions(run(small, "append", "append"));
        for (String id : existing.keySet()) {
            assertThat(generated.get(id)).isNotEqualTo(existing.get(id));
            assertThat(prepended.get(id)).isEqualTo(generated.get(id) + " | " + existing.get(id));
            assertThat(appended.get(id)).isEqualTo(existing.get(id) + " | " + generated.get(id));
        }
    }

    @Test
    void badSettingsFailBeforeAnyWorkNamingTheKey() throws IOException {
        Path out = dir.resolve("never");
        assertThatThrownBy(() -> caption(prepared, out, "mode = rewrite"))
                .hasMessageContaining("sdspark.caption.mode").hasMessageContaining("fill|replace|prepend|append");
        assertThatThrownBy(() -> caption(dir.resolve("raw"), out, ""))
                .isInstanceOf(UsageError.class).hasMessageContaining("sdspark.caption.input").hasMessageContaining("not a committed dataset");
        assertThatThrownBy(() -> caption(prepared, out, "model = " + Hocon.quote(dir.resolve("no-model"))))
                .isInstanceOf(UsageError.class).hasMessageContaining("sdspark.caption.model").hasMessageContaining("no-model");
        assertThatThrownBy(() -> caption(prepared, prepared, ""))
                .isInstanceOf(UsageError.class).hasMessageContaining("must differ from the input");
        assertThatThrownBy(() -> caption(prepared, out, "batch-size = 0"))
                .hasMessageContaining("sdspark.caption.batch-size").hasMessageContaining("must be > 0");
        Path existing = Files.createDirectories(dir.resolve("existing"));
        assertThatThrownBy(() -> caption(prepared, existing, ""))
                .isInstanceOf(UsageError.class).hasMessageContaining("sdspark.caption.overwrite");
        assertThat(out).doesNotExist();
    }

    @Test
    void aRunThatFailsOnTheExecutorsLeavesNoOutputAndNoStagingDirectory() throws IOException {
        Path broken = Files.createDirectories(dir.resolve("broken-model"));
        try (Stream<Path> files = Files.list(TINY_BLIP)) {
            for (Path f : files.toList()) {
                Files.copy(f, broken.resolve(f.getFileName()));
            }
        }
        byte[] weights = Files.readAllBytes(broken.resolve("model.safetensors"));
        Files.write(broken.resolve("model.safetensors"), Arrays.copyOf(weights, weights.length / 2));
        Path out = dir.resolve("failed");
        assertThatThrownBy(() -> caption(small, out, "mode = replace\nmodel = " + Hocon.quote(broken)))
                .hasStackTraceContaining("model.safetensors");
        assertThat(out).doesNotExist();
        assertThat(PrepRuns.stagingDirs(out)).isEmpty();
    }

    private static Path run(Path input, String name, String mode) throws IOException {
        Path out = dir.resolve("mode-" + name);
        caption(input, out, "mode = " + mode + "\nseparator = \" | \"\npartitions = 2");
        return out;
    }

    static CaptionReport caption(Path input, Path output, String extra) throws IOException {
        Path conf = Files.createTempFile(dir, "caption", ".conf");
        Files.writeString(conf, "sdspark.caption {\n input = " + Hocon.quote(input) + "\n output = " + Hocon.quote(output)
                + "\n model = " + Hocon.quote(TINY_BLIP.toAbsolutePath()) + "\n num-beams = 1\n max-new-tokens = 6\n"
                + " batch-size = 8\n" + extra + "\n}");
        Config config = ConfigLoader.load(java.util.Optional.of(conf), List.of());
        return CaptionJob.create(SharedSpark.get(), config, System.out).run();
    }

    private static void prep(Path raw, Path output) throws IOException {
        PrepRuns.run(dir, "sdspark.prep { inputs = [{ path = " + Hocon.quote(raw) + " }]\n output = " + Hocon.quote(output)
                + "\n ingest.require-caption = false\n filter { min-side = 16, min-bytes-per-pixel = 0,"
                + " near-duplicate-distance = 0 }\n partitions = 2 }");
    }

    /**
     * {@code count} noisy PNGs of 48 to 80 pixels a side with a drawn shape; every
     * {@code captionEvery}-th has a caption in metadata.jsonl.
     */
    private static Path writeImages(Path folder, int count, int captionEvery, long seed) throws IOException {
        Files.createDirectories(folder);
        Random random = new Random(seed);
        List<String> metadata = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int w = 48 + random.nextInt(33);
            int h = 48 + random.nextInt(33);
            String name = String.format("img%03d.png", i);
            StageInputs.writeNoisyPng(random, w, h, folder.resolve(name));
            if (i % captionEvery == 0) {
                metadata.add("{\"file_name\": \"" + name + "\", \"text\": \"a hand-written caption " + i + "\"}");
            }
        }
        Files.write(folder.resolve("metadata.jsonl"), metadata);
        return folder;
    }

    private static Map<String, Row> bySource(Path dataset) {
        return PrepRuns.accepted(dataset.toString());
    }

    private static Map<String, String> captions(Path dataset) {
        Map<String, String> rows = new TreeMap<>();
        SharedSpark.get().read().parquet(dataset + "/accepted").collectAsList().forEach(r -> rows.put(r.getAs("id"), r.getAs("caption")));
        return rows;
    }

    private static Map<String, String> rejected(Path dataset) {
        return PrepRuns.rejected(dataset.toString());
    }
}
