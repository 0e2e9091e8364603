package org.sdspark.prep.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.prep.InputFormat;
import org.sdspark.prep.InputSpec;
import org.sdspark.prep.LocalTree;
import org.sdspark.prep.PrepSettings;
import org.sdspark.prep.bucket.AspectRatioBuckets;
import org.sdspark.prep.bucket.Bucket;
import org.sdspark.prep.filter.DedupCandidate;
import org.sdspark.prep.filter.DuplicateResolver;
import org.sdspark.prep.filter.ImageFacts;
import org.sdspark.prep.filter.QualityFilter;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.filter.Rejection;
import org.sdspark.prep.filter.Verdict;
import org.sdspark.prep.source.FolderLayout;
import org.sdspark.prep.source.ImageEntry;
import org.sdspark.prep.source.LayoutPlan;

/** Runs the whole pure pipeline (plan, filter, dedup, bucket) over a generated dataset and checks it against the manifest. */
class SyntheticDatasetTest {
    @TempDir
    static Path dir;
    static SyntheticManifest manifest;
    static LayoutPlan plan;
    static Map<String, Reason> rejected = new TreeMap<>();
    static Map<String, ImageFacts> accepted = new TreeMap<>();
    static PrepSettings settings;

    @BeforeAll
    static void prepare() throws Exception {
        manifest = SyntheticDataset.write(dir, 42, 36);
        settings = PrepSettings.load(ConfigFactory.parseString(
                "sdspark.prep { inputs = [{ path = \"" + dir + "\" }], output = \"/unused\" }"));
        InputSpec spec = settings.inputs().get(0);
        LocalTree tree = new LocalTree(dir);
        plan = FolderLayout.plan(tree.files(), tree, spec, settings.ingest());
        for (Rejection r : plan.rejections()) rejected.put(r.source(), r.reason());
        QualityFilter filter = new QualityFilter(settings.filter());
        for (ImageEntry e : plan.images()) {
            Verdict v = filter.inspect(e.path(), tree.read(e.path()), e.caption(), settings.ingest().requireCaption());
            if (v instanceof Verdict.Accepted a) accepted.put(e.path(), a.facts());
            else if (v instanceof Verdict.Rejected r) rejected.put(r.rejection().source(), r.rejection().reason());
        }
        List<DedupCandidate> candidates = new ArrayList<>();
        accepted.forEach((path, f) -> candidates.add(new DedupCandidate(path, f.sha256(), f.perceptualHash(), f.pixels())));
        for (Rejection r : new DuplicateResolver(settings.filter()).resolve(candidates)) {
            accepted.remove(r.source());
            rejected.put(r.source(), r.reason());
        }
    }

    @Test
    void everyPlantedFileIsRejectedForItsReason() {
        assertThat(rejected).isEqualTo(manifest.expectedRejections());
        assertThat(manifest.expectedRejections().values()).containsAll(List.of(Reason.values()));
    }

    @Test
    void everyGoodImageSurvivesWithItsCaption() {
        Map<String, ImageEntry> entries = new HashMap<>();
        for (ImageEntry e : plan.images()) entries.put(e.path(), e);
        assertThat(accepted.keySet()).containsExactlyInAnyOrderElementsOf(
                manifest.good().stream().map(SyntheticManifest.GoodImage::path).toList());
        for (var g : manifest.good()) {
            assertThat(entries.get(g.path()).caption()).as(g.path()).isEqualTo(g.caption());
            assertThat(entries.get(g.path()).captionSource()).as(g.path()).isEqualTo(g.captionSource());
            ImageFacts facts = accepted.get(g.path());
            assertThat(facts.width()).isEqualTo(g.width());
            assertThat(facts.height()).isEqualTo(g.height());
            assertThat(facts.format()).isEqualTo(g.format());
        }
    }

    @Test
    void bucketsMatchTheManifest() {
        AspectRatioBuckets buckets = AspectRatioBuckets.of(settings.bucket());
        for (var g : manifest.good()) {
            ImageFacts f = accepted.get(g.path());
            Bucket b = buckets.assign(f.width(), f.height()).bucket();
            assertThat(b).as(g.path()).isEqualTo(g.bucket());
        }
        assertThat(manifest.good().stream().map(SyntheticManifest.GoodImage::bucket).distinct().count()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void layoutIsDetectedAsKohyaAndCoversEveryFormat() {
        assertThat(plan.detectedFormat()).isEqualTo(InputFormat.KOHYA.code());
        assertThat(manifest.good().stream().map(SyntheticManifest.GoodImage::format).distinct())
                .containsExactlyInAnyOrder("jpeg", "png", "gif", "bmp");
        assertThat(plan.images()).filteredOn(e -> e.path().startsWith("10_shapes/"))
                .allSatisfy(e -> {
                    assertThat(e.repeats()).isEqualTo(10);
                    assertThat(e.concept()).isEqualTo("shapes");
                });
    }

    @Test
    void generationIsDeterministic(@TempDir Path first, @TempDir Path second) throws Exception {
        SyntheticManifest one = SyntheticDataset.write(first, 7, 8);
        SyntheticManifest two = SyntheticDataset.write(second, 7, 8);
        assertThat(two).isEqualTo(one);
        for (var g : one.good()) {
            assertThat(Files.readAllBytes(second.resolve(g.path()))).isEqualTo(Files.readAllBytes(first.resolve(g.path())));
        }
    }

    @Test
    void benchmarkSetIsPhotoLikeAndPassesTheFilter(@TempDir Path bench) throws Exception {
        SyntheticManifest set = SyntheticDataset.writeBenchmarkSet(bench, 3, 4);
        QualityFilter filter = new QualityFilter(settings.filter());
        for (var g : set.good()) {
            byte[] bytes = Files.readAllBytes(bench.resolve(g.path()));
            long pixels = (long) g.width() * g.height();
            assertThat(pixels).isBetween(300_000L, 4_000_000L);
            assertThat((double) bytes.length / pixels).as("bytes per pixel").isBetween(0.2, 1.0);
            assertThat(filter.inspect(g.path(), bytes, g.caption(), true)).isInstanceOf(Verdict.Accepted.class);
            assertThat(Files.readString(bench.resolve(g.path().replace(".jpg", ".txt")))).isEqualTo(g.caption());
        }
    }
}
