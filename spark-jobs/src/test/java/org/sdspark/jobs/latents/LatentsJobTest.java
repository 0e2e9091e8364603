package org.sdspark.jobs.latents;

import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
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
import org.sdspark.jobs.train.data.DatasetRow;
import org.sdspark.jobs.train.data.PreparedDataset;
import org.sdspark.model.vae.AutoencoderKL;
import org.sdspark.model.vae.LatentDistribution;
import org.sdspark.model.vae.LatentMoments;
import org.sdspark.model.vae.VaeIdentity;
import org.sdspark.model.vae.VaeImageEncoder;
import org.sdspark.prep.LatentSettings;
import org.sdspark.prep.tensor.ResampleFilter;
import org.sdspark.prep.tensor.TrainingImageTransform;

/**
 * `sdspark cache-latents` with the tiny SD VAE of the model module's fixtures on a prepared
 * dataset of images in several buckets, one of them with corrupt bytes; and the reader training
 * uses on its output.
 */
class LatentsJobTest {
    private static final Path TINY_SD = Path.of("..", "model", "src", "test", "resources", "fixtures", "tiny-sd").toAbsolutePath();
    private static final int IMAGES = 20;
    private static final Configuration CONF = new Configuration();

    @TempDir
    static Path dir;
    static Path prepared;
    static String corrupt;
    static Path cached;
    static LatentsReport report;

    @BeforeAll
    static void prepare() throws IOException {
        Path clean = dir.resolve("prepared-clean");
        prep(writeImages(dir.resolve("raw"), IMAGES), clean);
        prepared = dir.resolve("prepared");
        corrupt = StageInputs.withUndecodableImage(clean, prepared, lit(true));

        cached = dir.resolve("cached-1");
        report = cache(prepared, cached, "flip = true\npartitions = 1\nstorage = float32");
    }

    @Test
    void cachedLatentsEqualADirectVaeEncodeOfTheCroppedPixelsAndOfTheirMirrorImages() throws IOException {
        assertThat(report.rows()).isEqualTo(IMAGES);
        assertThat(report.encoded()).isEqualTo(IMAGES - 1);
        assertThat(report.rejectedByReason()).isEqualTo(Map.of("undecodable", 1L));
        assertThat(rejected(cached)).containsEntry(corrupt, "undecodable");
        assertThat(cached.resolve("_SUCCESS")).exists();
        assertThat(cached.resolve("report.json")).hasSameTextualContentAs(prepared.resolve("report.json"));
        assertThat(LatentsReport.fromJson(Files.readString(cached.resolve("latents_report.json"))).encoded()).isEqualTo(IMAGES - 1);
        assertThat(PrepRuns.stagingDirs(cached)).isEmpty();
        assertThat(ExecutorModels.loaded(VaeImageEncoder.class)).as("one VAE per executor JVM, reused by every task").isEqualTo(1);

        LatentCacheInfo info = LatentCacheInfo.fromJson(Files.readString(cached.resolve(LatentCacheInfo.FILE)));
        VaeIdentity fixture = identity(TINY_SD);
        assertThat(info.identity()).isEqualTo(fixture);
        assertThat(List.of(info.dtype(), info.storage(), info.resample())).containsExactly("float32", "float32", "bilinear");
        assertThat(info.flip()).isTrue();

        Map<String, Row> rows = byId(cached);
        PreparedDataset dataset = PreparedDataset.read(cached.toString(), CONF);
        assertThat(rows).hasSize(IMAGES - 1);
        assertThat(dataset.rows().stream().map(r -> r.crop().fit().bucket()).distinct().count())
                .as("several buckets, so batches are per bucket").isGreaterThan(1);
        TrainingImageTransform transform = new TrainingImageTransform(ResampleFilter.BILINEAR);
        double worst = 0;
        // Kernels of a tiny VAE are too small to split; on a busy machine intra-op threads make them crawl.
        int threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        try (NDManager m = NDManager.newBaseManager(); AutoencoderKL vae = AutoencoderKL.load(m, TINY_SD.resolve("vae"))) {
            for (DatasetRow r : dataset.rows()) {
                Row row = rows.get(r.id());
                for (boolean flip : new boolean[] {false, true}) {
                    int w = r.crop().fit().bucket().width();
                    int h = r.crop().fit().bucket().height();
                    float[] pixels = transform.apply(row.<byte[]>getAs("image"), r.crop(), flip);
                    LatentDistribution direct = vae.encode(m.create(pixels, new Shape(1, 3, h, w)));
                    LatentMoments stored = stored(row, flip, FloatStorage.FLOAT32);
                    assertThat(List.of(stored.channels(), stored.height(), stored.width())).containsExactly(4, h / 8, w / 8);
                    worst = Math.max(worst, relativeError(stored.mean(), direct.mean().toFloatArray()));
                    worst = Math.max(worst, relativeError(stored.logvar(), direct.logvar().toFloatArray()));
                }
            }
        } finally {
            JniUtils.setNumThreads(threads);
        }
        System.out.printf("cache-latents vs direct VAE encode: worst relative error %.2e%n", worst);
        assertThat(worst).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void twoPartitionsCacheWhatOnePartitionDoes() throws IOException {
        Path two = dir.resolve("cached-2");
        LatentsReport second = cache(prepared, two, "flip = true\npartitions = 2\nbatch-size = 3\nstorage = float32");
        assertThat(second.partitions()).isEqualTo(2);
        assertThat(rejected(two)).isEqualTo(rejected(cached));
        Map<String, Row> one = byId(cached);
        Map<String, Row> other = byId(two);
        assertThat(other.keySet()).isEqualTo(one.keySet());
        double worst = 0;
        for (String id : one.keySet()) {
            for (boolean flip : new boolean[] {false, true}) {
                LatentMoments a = stored(one.get(id), flip, FloatStorage.FLOAT32);
                LatentMoments b = stored(other.get(id), flip, FloatStorage.FLOAT32);
                worst = Math.max(worst, Math.max(relativeError(b.mean(), a.mean()), relativeError(b.logvar(), a.logvar())));
            }
            assertThat(other.get(id).<String>getAs("caption")).isEqualTo(one.get(id).getAs("caption"));
        }
        // bit for bit here; batches of other sizes may take other kernels elsewhere, so float rounding is allowed
        System.out.printf("cache-latents, 2 partitions vs 1: worst relative error %.2e%n", worst);
        assertThat(worst).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void theReaderGivesEachRowsLatentsByIdWithoutSpark() throws IOException {
        PreparedDataset dataset = PreparedDataset.read(cached.toString(), CONF);
        CachedLatents latents = CachedLatents.open(dataset, CONF);
        List<DatasetRow> rows = new ArrayList<>(dataset.rows());
        java.util.Collections.reverse(rows);
        boolean[] flipped = new boolean[rows.size()];
        for (int i = 0; i < flipped.length; i += 3) {
            flipped[i] = true;
        }
        List<LatentMoments> read = latents.byId(rows.stream().map(DatasetRow::id).toList(), flipped);
        Map<String, Row> spark = byId(cached);
        for (int i = 0; i < rows.size(); i++) {
            LatentMoments expected = stored(spark.get(rows.get(i).id()), flipped[i], FloatStorage.FLOAT32);
            assertThat(read.get(i).mean()).containsExactly(expected.mean());
            assertThat(read.get(i).logvar()).containsExactly(expected.logvar());
            assertThat(read.get(i).height()).isEqualTo(expected.height());
        }
        latents.require(identity(TINY_SD), ResampleFilter.BILINEAR, true);
    }

    @Test
    void aDifferentVaeAnotherResizeOrMissingMirrorImagesAreRefused() throws IOException {
        CachedLatents flipped = CachedLatents.open(PreparedDataset.read(cached.toString(), CONF), CONF);
        VaeIdentity other;
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL random = AutoencoderKL.random(m, AutoencoderKL.load(m, TINY_SD.resolve("vae")).config())) {
            other = VaeIdentity.of(random);
        }
        assertThatThrownBy(() -> flipped.require(other, ResampleFilter.BILINEAR, false))
                .hasMessageContaining(cached.toString()).hasMessageContaining("another VAE")
                .hasMessageContaining(other.encoderSha256().substring(0, 12)).hasMessageContaining("cache-latents");
        assertThatThrownBy(() -> flipped.require(identity(TINY_SD), ResampleFilter.BICUBIC, false))
                .hasMessageContaining("resized with bilinear, training resizes with bicubic");

        Path half = dir.resolve("cached-fp16");
        cache(prepared, half, "storage = float16\nbatch-size = 16");
        PreparedDataset dataset = PreparedDataset.read(half.toString(), CONF);
        CachedLatents plain = CachedLatents.open(dataset, CONF);
        assertThat(plain.info().storage()).isEqualTo("float16");
        assertThatThrownBy(() -> plain.require(identity(TINY_SD), ResampleFilter.BILINEAR, true))
                .hasMessageContaining("no mirror images");
        List<DatasetRow> rows = dataset.rows();
        assertThatThrownBy(() -> plain.read(rows.subList(0, 1), new boolean[] {true})).hasMessageContaining("cached without flip");
        List<LatentMoments> halves = plain.read(rows, new boolean[rows.size()]);
        Map<String, Row> full = byId(cached);
        for (int i = 0; i < rows.size(); i++) {
            LatentMoments exact = stored(full.get(rows.get(i).id()), false, FloatStorage.FLOAT32);
            assertThat(relativeError(halves.get(i).mean(), exact.mean())).isLessThan(1e-3);
            assertThat(relativeError(halves.get(i).logvar(), exact.logvar())).isLessThan(1e-3);
        }
        assertThatThrownBy(() -> CachedLatents.open(PreparedDataset.read(prepared.toString(), CONF), CONF))
                .hasMessageContaining("has no cached latents");
    }

    @Test
    void badSettingsFailBeforeAnyWorkNamingTheKey() throws IOException {
        Path out = dir.resolve("never");
        assertThatThrownBy(() -> cache(prepared, out, "resample = nearest"))
                .hasMessageContaining("sdspark.latents.resample").hasMessageContaining("bilinear, bicubic, lanczos");
        assertThatThrownBy(() -> cache(prepared, out, "dtype = bfloat16"))
                .hasMessageContaining("sdspark.latents.dtype").hasMessageContaining("auto, float16 or float32");
        assertThatThrownBy(() -> cache(prepared, out, "model = " + Hocon.quote(dir.resolve("no-model"))))
                .isInstanceOf(UsageError.class).hasMessageContaining("sdspark.latents.model").hasMessageContaining("no-model");
        assertThatThrownBy(() -> cache(prepared, out, "model = " + Hocon.quote(TINY_SD.resolve("unet"))))
                .isInstanceOf(UsageError.class).hasMessageContaining("sdspark.latents.model");
        assertThatThrownBy(() -> cache(dir.resolve("raw"), out, ""))
                .isInstanceOf(UsageError.class).hasMessageContaining("not a committed dataset");
        assertThatThrownBy(() -> cache(prepared, prepared, ""))
                .isInstanceOf(UsageError.class).hasMessageContaining("must differ from the input");
        Path existing = Files.createDirectories(dir.resolve("existing"));
        assertThatThrownBy(() -> cache(prepared, existing, ""))
                .isInstanceOf(UsageError.class).hasMessageContaining("sdspark.latents.overwrite");
        assertThat(out).doesNotExist();
    }

    @Test
    void theExampleConfigurationIsValid() {
        var config = ConfigLoader.load(Optional.of(Path.of("..", "conf", "latents-example.conf")), List.of());
        assertThat(LatentSettings.from(config).model()).isEqualTo("models/stable-diffusion-v1-5");
    }

    private static LatentsReport cache(Path input, Path output, String extra) throws IOException {
        Path conf = Files.createTempFile(dir, "latents", ".conf");
        Files.writeString(conf, "sdspark.latents {\n input = " + Hocon.quote(input) + "\n output = " + Hocon.quote(output)
                + "\n model = " + Hocon.quote(TINY_SD) + "\n batch-size = 4\n" + extra + "\n}");
        return LatentsJob.create(SharedSpark.get(), ConfigLoader.load(Optional.of(conf), List.of()), System.out).run();
    }

    private static VaeIdentity identity(Path model) throws IOException {
        try (VaeImageEncoder encoder = VaeImageEncoder.load(model, Device.cpu(), DataType.FLOAT32)) {
            return encoder.identity();
        }
    }

    private static LatentMoments stored(Row row, boolean flipped, FloatStorage storage) {
        String mean = flipped ? LatentColumns.FLIPPED_MEAN : LatentColumns.MEAN;
        String logvar = flipped ? LatentColumns.FLIPPED_LOGVAR : LatentColumns.LOGVAR;
        return new LatentMoments(storage.decode(row.getAs(mean)), storage.decode(row.getAs(logvar)),
                row.getAs(LatentColumns.CHANNELS), row.getAs(LatentColumns.HEIGHT), row.getAs(LatentColumns.WIDTH));
    }

    /** ||a - b|| / ||b|| over the whole arrays. */
    private static double relativeError(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
            norm += (double) b[i] * b[i];
        }
        return Math.sqrt(diff / norm);
    }

    private static void prep(Path raw, Path output) throws IOException {
        PrepRuns.run(dir, "sdspark.prep { inputs = [{ path = " + Hocon.quote(raw) + " }]\n output = " + Hocon.quote(output)
                + "\n filter { min-side = 16, min-bytes-per-pixel = 0, near-duplicate-distance = 0 }\n"
                + " bucket { resolution = 64, min-side = 32, max-side = 128, step = 16 }\n partitions = 2 }");
    }

    /** {@code count} noisy PNGs of 40 to 80 by 40 to 70 pixels, each with a drawn shape and a caption. */
    private static Path writeImages(Path folder, int count) throws IOException {
        Files.createDirectories(folder);
        Random random = new Random(5);
        List<String> metadata = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int w = 40 + random.nextInt(41);
            int h = 40 + random.nextInt(31);
            String name = String.format("img%03d.png", i);
            StageInputs.writeNoisyPng(random, w, h, folder.resolve(name));
            metadata.add("{\"file_name\": \"" + name + "\", \"text\": \"picture " + i + "\"}");
        }
        Files.write(folder.resolve("metadata.jsonl"), metadata);
        return folder;
    }

    private static Map<String, Row> byId(Path dataset) {
        return PrepRuns.accepted(dataset.toString(), "id");
    }

    private static Map<String, String> rejected(Path dataset) {
        return PrepRuns.rejected(dataset.toString());
    }
}
