package org.sdspark.jobs.prep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.config.Hocon;

/** Hugging Face Parquet, kohya and DreamBooth inputs, alone and mixed in one run. */
class InputFormatsTest {

    private static final StructType HF_IMAGE = new StructType()
            .add("bytes", DataTypes.BinaryType)
            .add("path", DataTypes.StringType);
    private static final StructType HF_SCHEMA = new StructType()
            .add("image", HF_IMAGE)
            .add("text", DataTypes.StringType);

    @TempDir
    Path dir;

    /** Writes a dataset in the layout `datasets` exports: data/train-*.parquet plus a README. */
    private Path huggingFaceDataset(List<Row> rows, int files) throws IOException {
        Path root = dir.resolve("hf-dataset");
        SharedSpark.get().createDataFrame(rows, HF_SCHEMA).repartition(files)
                .write().parquet(root.resolve("data").toString());
        Files.writeString(root.resolve("README.md"), "---\nlicense: cc0\n---\n");
        return root;
    }

    private static Row hf(byte[] bytes, String path, String text) {
        return RowFactory.create(bytes == null ? null : RowFactory.create(bytes, path), text);
    }

    @Test
    void huggingFaceParquetRowsAreImages() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(hf(Images.encode(512 + 32 * i, 640, 100 + i, i % 2 == 0 ? "jpg" : "png"), "img" + i + ".jpg",
                    "picture number " + i + " ✓"));
        }
        rows.add(hf(Images.encode(600, 600, 200, "png"), "nocap.png", null));
        rows.add(hf("not an image at all".getBytes(StandardCharsets.UTF_8), "text.jpg", "bogus"));
        rows.add(hf(null, null, "row without an image"));
        Path root = huggingFaceDataset(rows, 2);

        String output = dir.resolve("out").toString();
        PrepReport report = PrepRuns.run(dir, "sdspark.prep { inputs = [{ path = " + Hocon.quote(root)
                + " }], output = " + Hocon.quote(output) + " }");

        assertThat(report.perInput()).singleElement()
                .satisfies(i -> assertThat(i.format()).isEqualTo("parquet"))
                .satisfies(i -> assertThat(i.inputs()).as("9 rows and README.md").isEqualTo(10));
        Map<String, Row> accepted = PrepRuns.accepted(output);
        assertThat(accepted).hasSize(6);
        assertThat(accepted.keySet()).allMatch(s -> s.matches(".*/data/part-.*\\.parquet#row=\\d+"));
        assertThat(accepted.values()).allSatisfy(r -> {
            assertThat((String) r.getAs("caption_source")).isEqualTo("parquet");
            assertThat((String) r.getAs("caption")).startsWith("picture number ").endsWith("✓");
        });
        assertThat(PrepRuns.rejected(output).values())
                .containsExactlyInAnyOrder("missing_caption", "not_an_image", "zero_bytes", "not_an_image");
        assertThat(report.accepted() + report.rejected()).isEqualTo(report.inputs());
    }

    @Test
    void aGlobOfParquetFilesCarriesTheImagePathAndTheOtherColumnsIntoAccepted() throws IOException {
        StructType schema = HF_SCHEMA.add("source_url", DataTypes.StringType).add("score", DataTypes.DoubleType)
                .add("tags", DataTypes.createArrayType(DataTypes.StringType));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(RowFactory.create(RowFactory.create(Images.encode(512, 576 + 32 * i, 300 + i, "jpg"), "photos/img" + i + ".jpg"),
                    "picture " + i, "https://example.org/" + i, i / 2.0, List.of("a", "b" + i)));
        }
        Path data = dir.resolve("hf/data");
        SharedSpark.get().createDataFrame(rows, schema).repartition(2).write().parquet(data.toString());
        Files.writeString(data.resolve("notes.txt"), "not matched by the glob");

        String output = dir.resolve("out").toString();
        String glob = data + "/part-*.parquet";
        PrepReport report = PrepRuns.run(dir, "sdspark.prep { inputs = [{ path = " + Hocon.quote(glob)
                + " }], output = " + Hocon.quote(output) + " }");
        assertThat(report.perInput()).singleElement().satisfies(i -> {
            assertThat(i.format()).isEqualTo("parquet");
            assertThat(i.inputs()).as("4 rows; notes.txt is outside the glob").isEqualTo(4);
        });
        Map<String, Row> accepted = PrepRuns.accepted(output);
        assertThat(accepted).hasSize(4);
        for (Row r : accepted.values()) {
            int i = Integer.parseInt(((String) r.getAs("caption")).substring("picture ".length()));
            assertThat((String) r.getAs("image_path")).isEqualTo("photos/img" + i + ".jpg");
            assertThat((String) r.getAs("metadata")).isEqualTo("{\"source_url\":\"https://example.org/" + i
                    + "\",\"score\":" + (i / 2.0) + ",\"tags\":[\"a\",\"b" + i + "\"]}");
        }

        assertThatThrownBy(() -> PrepRuns.run(dir, "sdspark.prep { inputs = [{ path = "
                + Hocon.quote(data + "/train-*.parquet") + " }], output = "
                + Hocon.quote(dir.resolve("out2")) + " }"))
                .isInstanceOf(UsageError.class).hasMessageContaining("train-*.parquet matches no file");
    }

    @Test
    void singleParquetFileWithOtherColumnNames() throws IOException {
        Path file = dir.resolve("captions.parquet");
        StructType schema = new StructType().add("picture", DataTypes.BinaryType).add("prompt", DataTypes.StringType);
        SharedSpark.get().createDataFrame(List.of(
                        RowFactory.create(Images.encode(640, 512, 1, "jpg"), "first"),
                        RowFactory.create(Images.encode(512, 640, 2, "jpg"), "second")), schema)
                .coalesce(1).write().parquet(dir.resolve("tmp").toString());
        try (var parts = Files.list(dir.resolve("tmp"))) {
            Files.move(parts.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow(), file);
        }
        String output = dir.resolve("out").toString();
        String inputs = "inputs = [{ path = " + Hocon.quote(file)
                + ", format = parquet, image-column = picture, caption-column = prompt }]";
        PrepRuns.run(dir, "sdspark.prep { " + inputs + ", output = " + Hocon.quote(output) + " }");
        assertThat(PrepRuns.accepted(output).values()).extracting(r -> (String) r.getAs("caption"))
                .containsExactlyInAnyOrder("first", "second");

        assertThatThrownBy(() -> PrepRuns.run(dir, "sdspark.prep { inputs = [{ path = "
                + Hocon.quote(file) + ", format = parquet }], output = "
                + Hocon.quote(dir.resolve("out2")) + " }"))
                .isInstanceOf(UsageError.class)
                .hasMessageContaining("no image column 'image'")
                .hasMessageContaining("picture, prompt");
    }

    @Test
    void kohyaAndDreamboothInputsInOneRunWithBalancedConcepts() throws IOException {
        Path kohya = dir.resolve("kohya");
        write(kohya.resolve("10_dog/a.jpg"), Images.encode(640, 640, 1, "jpg"));
        write(kohya.resolve("10_dog/b.jpg"), Images.encode(768, 512, 2, "jpg"));
        write(kohya.resolve("10_dog/b.txt"), "a dog on grass".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 4; i++) {
            write(kohya.resolve("2_cat/c" + i + ".png"), Images.encode(512, 704, 10 + i, "png"));
        }
        Path dreambooth = dir.resolve("instance images");
        write(dreambooth.resolve("IMG_0001.JPG"), Images.encode(600, 800, 20, "jpg"));
        write(dreambooth.resolve("IMG_0002.jpeg"), Images.encode(800, 600, 21, "jpg"));

        String output = dir.resolve("out").toString();
        PrepReport report = PrepRuns.run(dir, """
                sdspark.prep {
                  inputs = [
                    { path = %s }
                    { path = %s, format = dreambooth, instance-prompt = "a photo of sks dog" }
                  ]
                  output = %s
                  bucket.balance-concepts = true
                }
                """.formatted(Hocon.quote(kohya), Hocon.quote(dreambooth),
                Hocon.quote(output)));

        assertThat(report.perInput()).extracting(PrepReport.InputReport::format)
                .containsExactly("kohya", "dreambooth");
        Map<String, Row> accepted = PrepRuns.accepted(output);
        assertThat(accepted).hasSize(8);
        Row a = find(accepted, "10_dog/a.jpg");
        assertThat((String) a.getAs("caption")).isEqualTo("dog");
        assertThat((String) a.getAs("caption_source")).isEqualTo("kohya_folder");
        assertThat((String) find(accepted, "10_dog/b.jpg").getAs("caption")).isEqualTo("a dog on grass");
        Row img = find(accepted, "IMG_0001.JPG");
        assertThat((String) img.getAs("caption")).isEqualTo("a photo of sks dog");
        assertThat((String) img.getAs("caption_source")).isEqualTo("instance_prompt");
        // balanced: the 2-image concept is repeated twice as often as the 4-image one
        int dog = find(accepted, "10_dog/a.jpg").getAs("repeats");
        int cat = find(accepted, "2_cat/c0.png").getAs("repeats");
        assertThat(dog).isEqualTo(2 * cat);
        assertThat(find(accepted, "10_dog/b.jpg").<Integer>getAs("bucket_width"))
                .isGreaterThan(find(accepted, "10_dog/b.jpg").<Integer>getAs("bucket_height"));
    }

    private static Row find(Map<String, Row> accepted, String suffix) {
        return accepted.entrySet().stream().filter(e -> e.getKey().endsWith("/" + suffix))
                .findFirst().orElseThrow(() -> new AssertionError(suffix + " not accepted: " + accepted.keySet()))
                .getValue();
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }
}
