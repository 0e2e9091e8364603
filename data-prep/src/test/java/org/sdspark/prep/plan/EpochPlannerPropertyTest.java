package org.sdspark.prep.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.sdspark.prep.bucket.Bucket;

class EpochPlannerPropertyTest {
    private static final List<Bucket> BUCKETS = List.of(new Bucket(512, 512), new Bucket(640, 384), new Bucket(384, 640));

    @Provide
    Arbitrary<List<PlanImage>> images() {
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 4))
                .as((bucket, repeats) -> new int[] {bucket, repeats})
                .list().ofMinSize(1).ofMaxSize(25)
                .map(specs -> {
                    List<PlanImage> images = new ArrayList<>();
                    for (int i = 0; i < specs.size(); i++) {
                        images.add(new PlanImage(i, BUCKETS.get(specs.get(i)[0]), specs.get(i)[1]));
                    }
                    return images;
                });
    }

    @Property(tries = 200)
    void everyImageAppearsItsRepeatsTimesPlusOnlyPadding(@ForAll("images") List<PlanImage> images,
                                                          @ForAll @IntRange(min = 1, max = 4) int batch,
                                                          @ForAll @IntRange(min = 1, max = 3) int world,
                                                          @ForAll @IntRange(min = 0, max = 3) int epoch) {
        EpochPlanner planner = new EpochPlanner(images, List.of(), new PlanSettings(7, batch, world, 1, 0.5, 0));
        Map<Integer, Integer> seen = new HashMap<>();
        EpochPlan plan = planner.epoch(epoch);
        for (int b = 0; b < plan.batches(); b++) {
            for (int r = 0; r < world; r++) {
                for (Sample s : plan.microBatch(b, r).samples()) seen.merge(s.row(), 1, Integer::sum);
            }
        }
        int extra = 0;
        for (PlanImage image : images) {
            int n = seen.getOrDefault(image.row(), 0);
            assertThat(n).as("row %d", image.row()).isGreaterThanOrEqualTo(image.repeats());
            extra += n - image.repeats();
        }
        // padding fills each bucket's last global batch and nothing else
        int g = batch * world;
        int padding = 0;
        for (Bucket bucket : BUCKETS) {
            int count = images.stream().filter(i -> i.bucket().equals(bucket)).mapToInt(PlanImage::repeats).sum();
            padding += (g - count % g) % g;
        }
        assertThat(extra).isEqualTo(padding);
    }

    @Property(tries = 200)
    void shardsAreDisjointAndCoverTheGlobalBatch(@ForAll("images") List<PlanImage> images,
                                                 @ForAll @IntRange(min = 1, max = 4) int batch,
                                                 @ForAll @IntRange(min = 1, max = 4) int world,
                                                 @ForAll @IntRange(min = 0, max = 3) int epoch) {
        EpochPlanner planner = new EpochPlanner(images, List.of(), new PlanSettings(3, batch, world, 1, 0.5, 0.5));
        EpochPlan plan = planner.epoch(epoch);
        int g = batch * world;
        for (int b = 0; b < plan.batches(); b++) {
            Set<Long> indices = new HashSet<>();
            Set<Bucket> buckets = new HashSet<>();
            for (int r = 0; r < world; r++) {
                List<Sample> samples = plan.microBatch(b, r).samples();
                assertThat(samples).hasSize(batch);
                for (Sample s : samples) {
                    assertThat(indices.add(s.index())).as("index %d taken twice", s.index()).isTrue();
                    buckets.add(images.get(s.row()).bucket());
                }
            }
            long first = epoch * planner.examplesPerEpoch() + (long) b * g;
            for (long i = first; i < first + g; i++) assertThat(indices).contains(i);
            assertThat(buckets).hasSize(1);
        }
    }

    @Property(tries = 200)
    void nWorkersOfBatchBSeeWhatOneWorkerOfBatchNBSees(@ForAll("images") List<PlanImage> images,
                                                       @ForAll("images") List<PlanImage> classImages,
                                                       @ForAll boolean priorPreservation,
                                                       @ForAll @IntRange(min = 1, max = 3) int batch,
                                                       @ForAll @IntRange(min = 2, max = 4) int world,
                                                       @ForAll @IntRange(min = 1, max = 3) int accumulation,
                                                       @ForAll @IntRange(min = 0, max = 2) int epoch) {
        List<PlanImage> classes = priorPreservation ? classImages : List.of();
        EpochPlanner many = new EpochPlanner(images, classes, new PlanSettings(11, batch, world, accumulation, 0.5, 0.2));
        EpochPlanner one = new EpochPlanner(images, classes, new PlanSettings(11, batch * world, 1, accumulation, 0.5, 0.2));

        assertThat(many.stepsPerEpoch()).isEqualTo(one.stepsPerEpoch());
        EpochPlan m = many.epoch(epoch);
        EpochPlan o = one.epoch(epoch);
        for (int step = 0; step < many.stepsPerEpoch(); step++) {
            List<MicroBatch> single = o.step(step, 0);
            for (int micro = 0; micro < single.size(); micro++) {
                List<Sample> instances = new ArrayList<>();
                List<Sample> classSamples = new ArrayList<>();
                for (int r = 0; r < world; r++) {
                    List<MicroBatch> shards = m.step(step, r);
                    assertThat(shards).hasSize(single.size());
                    for (Sample s : shards.get(micro).samples()) (s.classImage() ? classSamples : instances).add(s);
                }
                instances.addAll(classSamples);
                assertThat(instances).isEqualTo(single.get(micro).samples());
            }
        }
    }
}
