package org.sdspark.prep.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.prep.IngestSettings;
import org.sdspark.prep.InputFormat;
import org.sdspark.prep.InputSpec;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.filter.Rejection;

class FolderLayoutTest {
    private static final IngestSettings INGEST = new IngestSettings(List.of(".txt", ".caption"), "text", "image", true, "");
    private static final byte[] IMAGE = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};

    /** An input tree held in memory: path -> bytes. */
    private static final class Tree implements SourceReader {
        final Map<String, byte[]> files = new LinkedHashMap<>();
        final List<String> reads = new ArrayList<>();

        Tree image(String path) {
            files.put(path, IMAGE);
            return this;
        }

        Tree text(String path, String content) {
            files.put(path, content.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        @Override
        public byte[] read(String path) throws FileNotFoundException {
            reads.add(path);
            byte[] b = files.get(path);
            if (b == null) throw new FileNotFoundException(path);
            return b;
        }

        LayoutPlan plan(InputFormat format, String prompt) throws Exception {
            List<SourceFile> list = files.entrySet().stream().map(e -> new SourceFile(e.getKey(), e.getValue().length)).toList();
            return FolderLayout.plan(list, this, new InputSpec("/in", format, prompt, "text", "image"), INGEST);
        }

        LayoutPlan plan() throws Exception {
            return plan(InputFormat.AUTO, "");
        }
    }

    private static ImageEntry entry(LayoutPlan plan, String path) {
        return plan.images().stream().filter(e -> e.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void jsonlMetadataAppliesRelativeToItsFolder() throws Exception {
        LayoutPlan plan = new Tree()
                .image("set/a.png").image("set/sub/b.jpg").image("other/c.png")
                .text("set/metadata.jsonl", """
                        {"file_name": "a.png", "text": "an apple"}

                        {"file_name": "sub/b.jpg", "text": "a banana", "score": 3}
                        {"file_name": "missing.png", "text": "gone"}
                        """)
                .plan();
        assertThat(plan.detectedFormat()).isEqualTo("folder");
        assertThat(plan.images()).containsExactly(
                new ImageEntry("other/c.png", null, CaptionSource.NONE, 1, "other"),
                new ImageEntry("set/a.png", "an apple", CaptionSource.METADATA_JSONL, 1, "set"),
                new ImageEntry("set/sub/b.jpg", "a banana", CaptionSource.METADATA_JSONL, 1, "set"));
        assertThat(plan.rejections()).containsExactly(new Rejection("set/missing.png", Reason.MISSING_FILE,
                "named by set/metadata.jsonl:4 but not in the input"));
    }

    @Test
    void csvMetadataHonoursRfc4180Quoting() throws Exception {
        LayoutPlan plan = new Tree()
                .image("a.png").image("b c.png").image("d.png").image("ü ñ.png")
                .text("metadata.csv", "\uFEFFtext,file_name\r\n"
                        + "\"red, round\",a.png\r\n"
                        + "\"she said \"\"hi\"\"\",b c.png\n"
                        + "\"two\nlines\",d.png\n"
                        + "\"ünïcødé 形状\",ü ñ.png")
                .plan();
        assertThat(entry(plan, "a.png").caption()).isEqualTo("red, round");
        assertThat(entry(plan, "b c.png").caption()).isEqualTo("she said \"hi\"");
        assertThat(entry(plan, "d.png").caption()).isEqualTo("two\nlines");
        assertThat(entry(plan, "ü ñ.png")).isEqualTo(new ImageEntry("ü ñ.png", "ünïcødé 形状", CaptionSource.METADATA_CSV, 1, ""));
        assertThat(plan.rejections()).isEmpty();
    }

    @Test
    void malformedJsonlNamesFileAndLine() {
        Tree tree = new Tree().image("x/a.png").text("x/metadata.jsonl", "{\"file_name\": \"a.png\", \"text\": \"ok\"}\n{\"file_name\": \"b.png\", \"text\": \n");
        assertThatThrownBy(tree::plan).isInstanceOf(InvalidSourceException.class).hasMessageStartingWith("x/metadata.jsonl:2: invalid JSON");
    }

    @Test
    void jsonlRowWithoutFileNameNamesFileAndLine() {
        Tree tree = new Tree().image("a.png").text("metadata.jsonl", "{\"text\": \"no file\"}");
        assertThatThrownBy(tree::plan).isInstanceOf(InvalidSourceException.class)
                .hasMessage("metadata.jsonl:1: missing string field \"file_name\"");
    }

    @Test
    void csvRowWithWrongFieldCountNamesFileAndLine() {
        Tree tree = new Tree().image("a.png").text("m/metadata.csv", "file_name,text\n\"a.png\",\"multi\nline\"\nb.png,x,extra\n");
        assertThatThrownBy(tree::plan).isInstanceOf(InvalidSourceException.class)
                .hasMessage("m/metadata.csv:4: 3 fields, header has 2");
    }

    @Test
    void csvWithoutCaptionColumnAndUnclosedQuoteAreErrors() {
        assertThatThrownBy(new Tree().image("a.png").text("metadata.csv", "file_name,caption\na.png,x\n")::plan)
                .isInstanceOf(InvalidSourceException.class).hasMessageContaining("metadata.csv:1").hasMessageContaining("\"text\"");
        assertThatThrownBy(new Tree().image("a.png").text("metadata.csv", "file_name,text\na.png,\"open\n")::plan)
                .isInstanceOf(InvalidSourceException.class).hasMessage("metadata.csv:2: quoted field is never closed");
    }

    @Test
    void metadataMayNotEscapeTheInputOrDescribeAFileTwice() {
        assertThatThrownBy(new Tree().image("a.png").text("d/metadata.jsonl", "{\"file_name\": \"../../a.png\", \"text\": \"x\"}")::plan)
                .isInstanceOf(InvalidSourceException.class).hasMessageContaining("d/metadata.jsonl:1").hasMessageContaining("outside");
        assertThatThrownBy(new Tree().image("d/a.png")
                .text("metadata.jsonl", "{\"file_name\": \"d/a.png\", \"text\": \"x\"}")
                .text("d/metadata.csv", "file_name,text\na.png,y\n")::plan)
                .isInstanceOf(InvalidSourceException.class)
                .hasMessage("metadata.jsonl:1: d/a.png is already described by d/metadata.csv:2");
    }

    @Test
    void sidecarsFollowConfiguredExtensionOrderAndMetadataWins() throws Exception {
        Tree tree = new Tree()
                .image("a.JPG").text("a.caption", "from caption").text("a.txt", " from txt \n")
                .image("b.png").text("b.caption", "only caption file")
                .image("c.png").text("c.txt", "sidecar loses").text("metadata.jsonl", "{\"file_name\": \"c.png\", \"text\": \"metadata wins\"}")
                .image("d.png").text("d.txt", "   ")
                .text("orphan.txt", "no image");
        LayoutPlan plan = tree.plan();
        assertThat(entry(plan, "a.JPG")).isEqualTo(new ImageEntry("a.JPG", "from txt", CaptionSource.SIDECAR, 1, ""));
        assertThat(entry(plan, "b.png").caption()).isEqualTo("only caption file");
        assertThat(entry(plan, "c.png")).isEqualTo(new ImageEntry("c.png", "metadata wins", CaptionSource.METADATA_JSONL, 1, ""));
        assertThat(entry(plan, "d.png").captionSource()).isEqualTo(CaptionSource.NONE);
        assertThat(tree.reads).doesNotContain("c.txt");
        assertThat(plan.rejections()).containsExactly(
                new Rejection("orphan.txt", Reason.NOT_AN_IMAGE, "caption file without an image of the same name"));
    }

    @Test
    void kohyaFoldersGiveRepeatsConceptAndFallbackCaption() throws Exception {
        LayoutPlan plan = new Tree()
                .image("10_sks dog/1.png").text("10_sks dog/1.txt", "sks dog on grass")
                .image("10_sks dog/deeper/2.png")
                .image("3_cat/x.webp")
                .image("loose.png")
                .plan();
        assertThat(plan.detectedFormat()).isEqualTo("kohya");
        assertThat(plan.images()).containsExactly(
                new ImageEntry("10_sks dog/1.png", "sks dog on grass", CaptionSource.SIDECAR, 10, "sks dog"),
                new ImageEntry("10_sks dog/deeper/2.png", "sks dog", CaptionSource.KOHYA_FOLDER, 10, "sks dog"),
                new ImageEntry("3_cat/x.webp", "cat", CaptionSource.KOHYA_FOLDER, 3, "cat"),
                new ImageEntry("loose.png", null, CaptionSource.NONE, 1, ""));
    }

    @Test
    void folderFormatDoesNotReadKohyaNames() throws Exception {
        LayoutPlan plan = new Tree().image("10_dog/1.png").plan(InputFormat.FOLDER, "");
        assertThat(plan.images()).containsExactly(new ImageEntry("10_dog/1.png", null, CaptionSource.NONE, 1, "10_dog"));
    }

    @Test
    void kohyaFolderWithZeroRepeatsIsAnError() {
        assertThatThrownBy(new Tree().image("0_dog/1.png")::plan)
                .isInstanceOf(InvalidSourceException.class).hasMessageStartingWith("0_dog: kohya folder repeats");
    }

    @Test
    void dreamboothGivesEveryImageTheInstancePrompt() throws Exception {
        Tree tree = new Tree().image("a.png").image("b/c.jpeg");
        LayoutPlan auto = tree.plan(InputFormat.AUTO, "a photo of sks dog");
        assertThat(auto.detectedFormat()).isEqualTo("dreambooth");
        assertThat(auto.images()).extracting(ImageEntry::caption).containsOnly("a photo of sks dog");
        assertThat(auto.images()).extracting(ImageEntry::captionSource).containsOnly(CaptionSource.INSTANCE_PROMPT);

        tree.text("a.txt", "ignored in dreambooth mode");
        LayoutPlan explicit = tree.plan(InputFormat.DREAMBOOTH, "a photo of sks dog");
        assertThat(entry(explicit, "a.png").caption()).isEqualTo("a photo of sks dog");
        LayoutPlan folder = tree.plan(InputFormat.AUTO, "a photo of sks dog");
        assertThat(folder.detectedFormat()).isEqualTo("folder");
        assertThat(entry(folder, "a.png").caption()).isEqualTo("ignored in dreambooth mode");
        assertThat(entry(folder, "b/c.jpeg")).isEqualTo(
                new ImageEntry("b/c.jpeg", "a photo of sks dog", CaptionSource.INSTANCE_PROMPT, 1, "b"));
    }

    @Test
    void hiddenAndUnknownFilesAreReportedNotDropped() throws Exception {
        LayoutPlan plan = new Tree()
                .image("a.png").text(".DS_Store", "x").text(".git/config", "x").text("notes.md", "x").text("raw.tiff", "x")
                .plan();
        assertThat(plan.rejections()).extracting(Rejection::source, Rejection::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(".DS_Store", Reason.NOT_AN_IMAGE),
                org.assertj.core.groups.Tuple.tuple(".git/config", Reason.NOT_AN_IMAGE),
                org.assertj.core.groups.Tuple.tuple("notes.md", Reason.NOT_AN_IMAGE),
                org.assertj.core.groups.Tuple.tuple("raw.tiff", Reason.NOT_AN_IMAGE));
        assertThat(plan.rejections().get(0).detail()).isEqualTo("hidden file");
        assertThat(plan.rejections().get(2).detail()).isEqualTo("not an image, caption or metadata file");
        assertThat(plan.rejections().get(3).detail())
                .isEqualTo("unsupported image format .tiff (JPEG, PNG, WebP, BMP and GIF are read)");
    }

    @Test
    void anUnsupportedImageWithItsCaptionIsOneRejection() throws Exception {
        LayoutPlan plan = new Tree().image("a.png").text("a.txt", "a cat")
                .text("phone/IMG_1.heic", "x").text("phone/IMG_1.txt", "a dog").text("phone/IMG_2.avif", "x")
                .text("phone/IMG_2.caption", "a bird").text("orphan.txt", "nobody's").plan();
        assertThat(plan.rejections()).extracting(Rejection::source).containsExactly("orphan.txt", "phone/IMG_1.heic", "phone/IMG_2.avif");
        assertThat(plan.rejections().get(0).detail()).isEqualTo("caption file without an image of the same name");
        assertThat(plan.rejections().get(1).detail()).startsWith("unsupported image format .heic");
        assertThat(plan.images()).extracting(ImageEntry::path).containsExactly("a.png");
    }

    @Test
    void imageTreeHasNoParquetFilesAndSkipsBookkeeping() throws Exception {
        LayoutPlan plan = new Tree().image("a.png").text("a.txt", "x").text("_SUCCESS", "").text("stray.parquet", "PAR1").plan();
        assertThat(plan.parquetFiles()).isEmpty();
        assertThat(plan.images()).hasSize(1);
        assertThat(plan.rejections()).containsExactly(new Rejection("stray.parquet", Reason.NOT_AN_IMAGE,
                "parquet file in an image-folder input; set format = parquet"));
    }

    @Test
    void parquetOnlyTreeIsDetectedAsParquet() throws Exception {
        LayoutPlan plan = new Tree()
                .text("data/train-00000.parquet", "PAR1").text("data/train-00001.parquet", "PAR1")
                .text("data/_SUCCESS", "").text("data/.train-00000.parquet.crc", "x").text("data/_common_metadata", "x")
                .text("data/_temporary/0/part.parquet", "x")
                .text("README.md", "hi").text("notes.txt", "hi")
                .plan();
        assertThat(plan.detectedFormat()).isEqualTo("parquet");
        assertThat(plan.images()).isEmpty();
        assertThat(plan.parquetFiles()).containsExactly("data/train-00000.parquet", "data/train-00001.parquet");
        assertThat(plan.rejections()).extracting(Rejection::source).containsExactly("README.md", "notes.txt");
    }
}
