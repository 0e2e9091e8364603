package org.sdspark.prep.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.prep.bucket.Bucket;

class EpochPlannerTest {
    static final Bucket SQUARE = new Bucket(512, 512);
    static final Bucket WIDE = new Bucket(640, 384);

    static PlanSettings settings(int batch, int world, int accumulation) {
        return new PlanSettings(42, batch, world, accumulation, 0.5, 0.1);
    }

    @Test
    void aShortBucketIsPaddedWithItsOwnImagesAndBatchesNeverMixBuckets() {
        // 3 square images and 1 wide one, global batch 2: square needs 2 batches (one padded), wide 1 (padded)
        List<PlanImage> images = List.of(new PlanImage(0, SQUARE, 1), new PlanImage(1, SQUARE, 1),
                new PlanImage(2, SQUARE, 1), new PlanImage(3, WIDE, 1));
        EpochPlanner planner = new EpochPlanner(images, List.of(), settings(2, 1, 1));

        assertThat(planner.batchesPerEpoch()).isEqualTo(3);
        assertThat(planner.stepsPerEpoch()).isEqualTo(3);
        assertThat(planner.examplesPerEpoch()).isEqualTo(6);
        EpochPlan plan = planner.epoch(0);
        Map<Integer, Integer> seen = new HashMap<>();
        for (int b = 0; b < plan.batches(); b++) {
            List<Integer> rows = rows(plan.microBatch(b, 0));
            assertThat(rows).hasSize(2);
            boolean wide = rows.contains(3);
            if (wide) assertThat(rows).containsExactly(3, 3);
            else assertThat(rows).doesNotContain(3);
            rows.forEach(r -> seen.merge(r, 1, Integer::sum));
        }
        assertThat(seen.get(3)).isEqualTo(2);
        assertThat(seen.get(0) + seen.get(1) + seen.get(2)).isEqualTo(4);
        assertThat(seen).containsKeys(0, 1, 2);
    }

    @Test
    void repeatsMultiplyAnImageWithinTheEpoch() {
        List<PlanImage> images = List.of(new PlanImage(7, SQUARE, 3), new PlanImage(9, SQUARE, 1));
        EpochPlanner planner = new EpochPlanner(images, List.of(), settings(1, 1, 1));

        assertThat(planner.examplesPerEpoch()).isEqualTo(4);
        List<Integer> rows = new ArrayList<>();
        EpochPlan plan = planner.epoch(5);
        for (int b = 0; b < plan.batches(); b++) rows.addAll(rows(plan.microBatch(b, 0)));
        assertThat(rows).containsExactlyInAnyOrder(7, 7, 7, 9);
    }

    /** diffusers' DreamBoothDataset: length max(2, 3) = 3; example i = (instance i % 2, class i % 3). */
    @Test
    void classImagesArePairedAsDiffusersDreamBoothDatasetPairsThem() {
        List<PlanImage> instances = List.of(new PlanImage(0, SQUARE, 1), new PlanImage(1, SQUARE, 1));
        List<PlanImage> classes = List.of(new PlanImage(10, SQUARE, 1), new PlanImage(11, SQUARE, 1),
                new PlanImage(12, SQUARE, 1));
        EpochPlanner planner = new EpochPlanner(instances, classes, settings(1, 1, 1));

        assertThat(planner.examplesPerEpoch()).isEqualTo(3);
        assertThat(planner.imagesPerExample()).isEqualTo(2);
        List<String> pairs = new ArrayList<>();
        EpochPlan plan = planner.epoch(0);
        for (int b = 0; b < plan.batches(); b++) {
            List<Sample> s = plan.microBatch(b, 0).samples();
            assertThat(s).extracting(Sample::classImage).containsExactly(false, true);
            assertThat(s.get(1).index()).isEqualTo(s.get(0).index() + 1);
            pairs.add(s.get(0).row() + "+" + s.get(1).row());
        }
        assertThat(pairs).containsExactlyInAnyOrder("0+10", "1+11", "0+12");
    }

    @Test
    void aDreamBoothBatchHoldsItsInstancesThenTheirClassImages() {
        List<PlanImage> instances = List.of(new PlanImage(0, SQUARE, 1), new PlanImage(1, SQUARE, 1));
        List<PlanImage> classes = List.of(new PlanImage(10, SQUARE, 1), new PlanImage(11, SQUARE, 1));
        MicroBatch batch = new EpochPlanner(instances, classes, settings(2, 1, 1)).epoch(0).microBatch(0, 0);

        assertThat(batch.samples()).extracting(Sample::classImage).containsExactly(false, false, true, true);
        assertThat(batch.samples().get(2).row()).isEqualTo(batch.samples().get(0).row() + 10);
        assertThat(batch.samples().get(3).row()).isEqualTo(batch.samples().get(1).row() + 10);
    }

    @Test
    void sampleIndicesCountExamplesOverTheRun() {
        List<PlanImage> images = List.of(new PlanImage(0, SQUARE, 1), new PlanImage(1, SQUARE, 1),
                new PlanImage(2, SQUARE, 1));
        EpochPlanner planner = new EpochPlanner(images, List.of(), settings(1, 1, 1));

        EpochPlan epoch2 = planner.epoch(2);
        List<Long> indices = new ArrayList<>();
        for (int b = 0; b < epoch2.batches(); b++) indices.add(epoch2.microBatch(b, 0).samples().get(0).index());
        assertThat(indices).containsExactly(6L, 7L, 8L);
    }

    @Test
    void accumulationGroupsConsecutiveBatchesAndTheLastStepMayBeShort() {
        List<PlanImage> images = new ArrayList<>();
        for (int i = 0; i < 5; i++) images.add(new PlanImage(i, SQUARE, 1));
        EpochPlanner planner = new EpochPlanner(images, List.of(), settings(1, 1, 2));

        assertThat(planner.stepsPerEpoch()).isEqualTo(3);
        EpochPlan plan = planner.epoch(0);
        assertThat(plan.step(0, 0)).extracting(MicroBatch::micro).containsExactly(0, 1);
        assertThat(plan.step(2, 0)).hasSize(1).extracting(MicroBatch::step).containsExactly(2);
        assertThat(plan.step(1, 0).get(1)).isEqualTo(plan.microBatch(3, 0));
        assertThatThrownBy(() -> plan.step(3, 0)).hasMessageContaining("epoch 0 has no step 3");
    }

    @Test
    void aResumedRunTakesTheStepsAnUninterruptedRunTakes() {
        List<PlanImage> images = new ArrayList<>();
        for (int i = 0; i < 7; i++) images.add(new PlanImage(i, i % 2 == 0 ? SQUARE : WIDE, 1 + i % 3));
        EpochPlanner planner = new EpochPlanner(images, List.of(), settings(1, 2, 2));
        int steps = planner.stepsPerEpoch();

        Iterator<List<MicroBatch>> whole = planner.steps(Position.START, 1);
        List<List<MicroBatch>> uninterrupted = new ArrayList<>();
        for (int i = 0; i < 3 * steps; i++) uninterrupted.add(whole.next());
        Position resume = Position.ofGlobalStep(steps + 2, steps);
        Iterator<List<MicroBatch>> resumed = new EpochPlanner(images, List.of(), settings(1, 2, 2)).steps(resume, 1);

        assertThat(resume).isEqualTo(new Position(1, 2));
        for (int i = steps + 2; i < 3 * steps; i++) assertThat(resumed.next()).isEqualTo(uninterrupted.get(i));
        assertThat(new Position(0, steps - 1).next(steps)).isEqualTo(new Position(1, 0));
        assertThat(resume.globalStep(steps)).isEqualTo(steps + 2);
    }

    @Test
    void theOrderDependsOnSeedAndEpochOnly() {
        List<PlanImage> images = new ArrayList<>();
        for (int i = 0; i < 40; i++) images.add(new PlanImage(i, SQUARE, 1));
        EpochPlanner a = new EpochPlanner(images, List.of(), settings(4, 1, 1));
        EpochPlanner b = new EpochPlanner(images, List.of(), settings(4, 1, 1));
        EpochPlanner otherSeed = new EpochPlanner(images, List.of(), new PlanSettings(43, 4, 1, 1, 0.5, 0.1));

        a.epoch(0);
        assertThat(a.epoch(3).step(0, 0)).isEqualTo(b.epoch(3).step(0, 0));
        assertThat(a.epoch(3).step(0, 0)).isNotEqualTo(a.epoch(4).step(0, 0));
        assertThat(a.epoch(3).step(0, 0)).isNotEqualTo(otherSeed.epoch(3).step(0, 0));
    }

    @Test
    void flipAndCaptionDropoutFollowTheirProbabilities() {
        List<PlanImage> images = new ArrayList<>();
        for (int i = 0; i < 4000; i++) images.add(new PlanImage(i, SQUARE, 1));
        EpochPlan plan = new EpochPlanner(images, List.of(), new PlanSettings(1, 8, 1, 1, 0.5, 0.1)).epoch(0);
        int flips = 0, drops = 0, n = 0;
        for (int b = 0; b < plan.batches(); b++) {
            for (Sample s : plan.microBatch(b, 0).samples()) {
                flips += s.flip() ? 1 : 0;
                drops += s.dropCaption() ? 1 : 0;
                n++;
            }
        }
        assertThat((double) flips / n).isBetween(0.47, 0.53);
        assertThat((double) drops / n).isBetween(0.08, 0.12);

        EpochPlan never = new EpochPlanner(images, List.of(), new PlanSettings(1, 8, 1, 1, 0, 1)).epoch(0);
        assertThat(never.microBatch(0, 0).samples()).allMatch(s -> !s.flip() && s.dropCaption());
    }

    @Test
    void badInputsAreRefusedWithTheirName() {
        List<PlanImage> one = List.of(new PlanImage(0, SQUARE, 1));
        assertThatThrownBy(() -> new PlanImage(4, SQUARE, 0)).hasMessageContaining("row 4 has repeats 0");
        assertThatThrownBy(() -> new PlanSettings(0, 0, 1, 1, 0, 0)).hasMessageContaining("batch size is 0");
        assertThatThrownBy(() -> new PlanSettings(0, 1, 1, 1, 1.5, 0)).hasMessageContaining("flip probability is 1.5");
        assertThatThrownBy(() -> new EpochPlanner(List.of(), one, settings(1, 1, 1))).hasMessageContaining("no instance images");
        EpochPlanner planner = new EpochPlanner(one, List.of(), settings(1, 2, 1));
        assertThatThrownBy(() -> planner.epoch(0).microBatch(0, 2)).hasMessageContaining("rank 2 of world size 2");
        assertThatThrownBy(() -> planner.steps(new Position(0, 1), 0)).hasMessageContaining("past the 1 steps");
    }

    static List<Integer> rows(MicroBatch batch) {
        List<Integer> rows = new ArrayList<>();
        for (Sample s : batch.samples()) rows.add(s.row());
        return rows;
    }
}
