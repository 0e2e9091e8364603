package org.sdspark.jobs.train.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.prep.plan.EpochPlanner;
import org.sdspark.prep.plan.PlanSettings;
import org.sdspark.prep.plan.Position;
import org.sdspark.prep.tensor.ResampleFilter;
import org.sdspark.prep.tensor.TrainingImageTransform;

/** Prepared Parquet (made by the prep job) to training tensors, read without a SparkSession. */
class ShardLoaderTest {
    @TempDir
    static Path dir;
    static Path instancesOut;
    static Path classesOut;
    static Path paged;
    static final Configuration CONF = new Configuration();
    static final TrainingImageTransform TRANSFORM = new TrainingImageTransform(ResampleFilter.BILINEAR);
    static final java.util.function.Function<PreparedDataset, SampleSource> PIXELS = d -> new PixelSource(d, CONF, TRANSFORM);

    @BeforeAll
    static void prepare() throws IOException {
        PreparedDatasets.images(dir.resolve("raw/3_dog"), 7, 1);
        PreparedDatasets.images(dir.resolve("raw/1_cat"), 4, 2);
        instancesOut = dir.resolve("instances");
        PreparedDatasets.prep(dir.resolve("raw"), instancesOut);
        // class images: a dataset of their own (here the cats again, with their own ids and captions)
        classesOut = dir.resolve("classes");
        SharedSpark.get().read().parquet(instancesOut + "/accepted").filter(col("concept").equalTo("cat"))
                .withColumn("id", concat(lit("class-"), col("id"))).withColumn("caption", lit("a photo of a cat"))
                .write().parquet(classesOut + "/accepted");
        Files.createFile(classesOut.resolve("_SUCCESS"));
        // the same rows rewritten with pages of 2 rows and small row groups, as a large dataset has
        paged = dir.resolve("paged");
        SharedSpark.get().read().parquet(instancesOut + "/accepted").coalesce(1).write()
                .option("parquet.page.row.count.limit", "2").option("parquet.block.row.count.limit", "4")
                .parquet(paged + "/accepted");
        Files.createFile(paged.resolve("_SUCCESS"));
    }

    @Test
    void rowsAreReadByColumnNameAsSparkReadsThem() throws IOException {
        PreparedDataset dataset = PreparedDataset.read(instancesOut.toString(), CONF);

        Map<String, Row> spark = sparkRows(instancesOut);
        assertThat(dataset.rows()).hasSize(11);
        for (DatasetRow r : dataset.rows()) {
            Row s = spark.get(r.id());
            assertThat(r.caption()).isEqualTo(s.getAs("caption"));
            assertThat(r.repeats()).isEqualTo((int) s.getAs("repeats")).isEqualTo(r.concept().equals("dog") ? 3 : 1);
            assertThat(r.crop().fit().bucket().width()).isEqualTo((int) s.getAs("bucket_width"));
            assertThat(r.crop().fit().resizedHeight()).isEqualTo((int) s.getAs("resized_height"));
            assertThat(r.crop().fit().cropLeft()).isEqualTo((int) s.getAs("crop_left"));
            assertThat(r.crop().width()).isEqualTo((int) s.getAs("width"));
        }
        assertThat(dataset.rows()).extracting(DatasetRow::row).containsExactlyElementsOf(range(11));
        assertThat(dataset.planImages()).extracting(p -> p.bucket().toString()).contains("256x256", "320x192");
    }

    @Test
    void imageBytesOfAnyRowsComeBackInTheOrderAsked() throws IOException {
        for (Path output : List.of(instancesOut, paged)) {
            PreparedDataset dataset = PreparedDataset.read(output.toString(), CONF);
            Map<String, Row> spark = sparkRows(output);
            List<DatasetRow> asked = List.of(dataset.row(9), dataset.row(0), dataset.row(5), dataset.row(9), dataset.row(10));
            List<byte[]> bytes = new ParquetImages(dataset, CONF).read(asked);
            for (int i = 0; i < asked.size(); i++) {
                assertThat(bytes.get(i)).as(asked.get(i).describe()).isEqualTo(spark.get(asked.get(i).id()).getAs("image"));
            }
        }
    }

    /** The test's paged copy has many pages and row groups; one image costs about its own page. */
    @Test
    void oneImageIsReadWithoutItsRowGroupOrFile() throws IOException {
        PreparedDataset dataset = PreparedDataset.read(paged.toString(), CONF);
        String file = dataset.files().get(0);
        try (ParquetFileReader footer = ParquetFileReader.open(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file), CONF))) {
            assertThat(footer.getRowGroups().size()).as("row groups").isGreaterThan(1);
        }
        long fileBytes = Files.size(Path.of(java.net.URI.create(file)));
        DatasetRow last = dataset.row(dataset.rows().size() - 1);
        ParquetImages images = new ParquetImages(dataset, CONF);
        images.read(List.of(dataset.row(0))); // reads the footer, kept from then on
        long before = bytesRead();
        byte[] image = images.read(List.of(last)).get(0);
        long read = bytesRead() - before;
        assertThat(read).as("bytes read for one %d-byte image of a %d-byte file", image.length, fileBytes)
                .isLessThan(3L * image.length + 16_384).isLessThan(fileBytes / 3);
    }

    @Test
    void ranksGetTheirShardAsPixelsCaptionsAndFlags() throws IOException {
        PreparedDataset dataset = PreparedDataset.read(instancesOut.toString(), CONF);
        EpochPlanner planner = new EpochPlanner(dataset.planImages(), List.of(), new PlanSettings(5, 2, 2, 2, 0.5, 0.2));
        Map<String, Row> spark = sparkRows(instancesOut);
        List<TrainingStep> rank0 = steps(planner, 0, Position.START, dataset, Optional.empty(), 3);
        List<TrainingStep> rank1 = steps(planner, 1, Position.START, dataset, Optional.empty(), 3);

        for (int s = 0; s < 3; s++) {
            TrainingStep step = rank0.get(s);
            assertThat(step.position()).isEqualTo(Position.ofGlobalStep(s, planner.stepsPerEpoch()));
            assertThat(step.microBatches()).hasSize(planner.epoch(0).step(s, 0).size());
            for (int m = 0; m < step.microBatches().size(); m++) {
                TrainingBatch batch = step.microBatches().get(m);
                var plan = planner.epoch(0).step(s, 0).get(m);
                assertThat(batch.samples()).extracting(TrainingSample::index)
                        .containsExactlyElementsOf(plan.samples().stream().map(x -> x.index()).toList());
                assertThat(batch.samples()).extracting(TrainingSample::index)
                        .doesNotContainAnyElementsOf(rank1.get(s).microBatches().get(m).samples().stream().map(TrainingSample::index).toList());
                for (TrainingSample sample : batch.samples()) {
                    Row row = spark.get(sample.id());
                    DatasetRow meta = dataset.rows().stream().filter(r -> r.id().equals(sample.id())).findFirst().orElseThrow();
                    float[] expected = TRANSFORM.apply((byte[]) row.getAs("image"), meta.crop(), sample.flipped());
                    assertThat(sample.values()).isEqualTo(expected);
                    assertThat(sample.values()).hasSize(3 * sample.width() * sample.height());
                    assertThat(sample.caption()).isEqualTo(sample.captionDropped() ? "" : row.getAs("caption"));
                    assertThat(sample.width()).isEqualTo(batch.samples().get(0).width());
                }
            }
        }
    }

    @Test
    void aResumedLoaderContinuesWithTheSameSteps() throws IOException {
        PreparedDataset dataset = PreparedDataset.read(instancesOut.toString(), CONF);
        EpochPlanner planner = new EpochPlanner(dataset.planImages(), List.of(), new PlanSettings(9, 3, 1, 1, 0.5, 0));
        List<TrainingStep> whole = steps(planner, 0, Position.START, dataset, Optional.empty(), planner.stepsPerEpoch() + 2);
        Position resume = Position.ofGlobalStep(planner.stepsPerEpoch() - 1, planner.stepsPerEpoch());
        List<TrainingStep> resumed = steps(planner, 0, resume, dataset, Optional.empty(), 3);

        for (int i = 0; i < 3; i++) {
            TrainingStep a = whole.get(planner.stepsPerEpoch() - 1 + i);
            TrainingStep b = resumed.get(i);
            assertThat(b.position()).isEqualTo(a.position());
            assertThat(ids(b)).isEqualTo(ids(a));
            assertThat(b.microBatches().get(0).samples().get(0).values()).isEqualTo(a.microBatches().get(0).samples().get(0).values());
        }
    }

    @Test
    void priorPreservationBatchesCarryClassImagesFromTheirOwnDataset() throws IOException {
        PreparedDataset instances = PreparedDataset.read(instancesOut.toString(), CONF);
        PreparedDataset classes = PreparedDataset.read(classesOut.toString(), CONF);
        EpochPlanner planner = new EpochPlanner(instances.planImages(), classes.planImages(), new PlanSettings(2, 1, 1, 1, 0, 0));
        TrainingBatch batch = steps(planner, 0, Position.START, instances, Optional.of(classes), 1).get(0).microBatches().get(0);

        assertThat(batch.samples()).extracting(TrainingSample::classImage).containsExactly(false, true);
        TrainingSample cls = batch.samples().get(1);
        assertThat(cls.id()).startsWith("class-");
        assertThat(cls.caption()).isEqualTo("a photo of a cat");
        assertThat(classes.rows()).extracting(DatasetRow::id).contains(cls.id());
        assertThatThrownBy(() -> new ShardLoader(planner, 0, Position.START, instances, Optional.empty(), PIXELS, 1, 1))
                .hasMessageContaining("no class dataset");
    }

    @Test
    void aCorruptImageNamesItsRow() throws IOException {
        Path broken = dir.resolve("broken");
        PreparedDataset good = PreparedDataset.read(instancesOut.toString(), CONF);
        String victim = good.row(0).id();
        SharedSpark.get().read().parquet(instancesOut + "/accepted")
                .withColumn("image", when(col("id").equalTo(victim), lit(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2}))
                        .otherwise(col("image")))
                .write().parquet(broken + "/accepted");
        Files.createFile(broken.resolve("_SUCCESS"));
        PreparedDataset dataset = PreparedDataset.read(broken.toString(), CONF);
        EpochPlanner planner = new EpochPlanner(dataset.planImages(), List.of(), new PlanSettings(1, 11, 1, 1, 0, 0));

        assertThatThrownBy(() -> steps(planner, 0, Position.START, dataset, Optional.empty(), planner.stepsPerEpoch()))
                .hasMessageContaining("cannot make training pixels of row " + victim)
                .hasMessageContaining(good.row(0).source());
    }

    @Test
    void anUncommittedOutputIsRefused() throws IOException {
        Path half = dir.resolve("half");
        Files.createDirectories(half.resolve("accepted"));

        assertThatThrownBy(() -> PreparedDataset.read(half.toString(), CONF)).hasMessageContaining("no _SUCCESS marker");
    }

    @Test
    void aMissingColumnIsNamedWithItsFile() throws IOException {
        Path old = dir.resolve("old");
        SharedSpark.get().read().parquet(instancesOut + "/accepted").drop("crop_left").write().parquet(old + "/accepted");
        Files.createFile(old.resolve("_SUCCESS"));

        assertThatThrownBy(() -> PreparedDataset.read(old.toString(), CONF))
                .hasMessageContaining("has no column 'crop_left'").hasMessageContaining(".parquet");
    }

    private static List<TrainingStep> steps(EpochPlanner planner, int rank, Position from, PreparedDataset instances,
                                            Optional<PreparedDataset> classes, int count) throws IOException {
        List<TrainingStep> steps = new ArrayList<>();
        try (ShardLoader loader = new ShardLoader(planner, rank, from, instances, classes, PIXELS, 2, 2)) {
            for (int i = 0; i < count; i++) steps.add(loader.next());
        }
        return steps;
    }

    private static List<String> ids(TrainingStep step) {
        return step.microBatches().stream().flatMap(b -> b.samples().stream()).map(TrainingSample::id).toList();
    }

    private static Map<String, Row> sparkRows(Path output) {
        SparkSession spark = SharedSpark.get();
        Map<String, Row> byId = new HashMap<>();
        spark.read().parquet(output + "/accepted").collectAsList().forEach(r -> byId.put(r.getAs("id"), r));
        return byId;
    }

    private static long bytesRead() {
        return FileSystem.getAllStatistics().stream().mapToLong(FileSystem.Statistics::getBytesRead).sum();
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < n; i++) r.add(i);
        return r;
    }
}
