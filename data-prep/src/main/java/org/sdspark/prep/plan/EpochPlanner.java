package org.sdspark.prep.plan;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Cuts epochs into bucket-homogeneous global batches, shards them over ranks and groups them into
 * optimizer steps, as a pure function of the images, the settings and the epoch number.
 *
 * <p>An epoch, as kohya's BucketManager does it: each group's examples are shuffled, cut into
 * global batches of {@code batchSize * worldSize}, and the batches of all groups shuffled together
 * (the seed and the epoch alone drive it). A group's last batch is padded with the group's first
 * examples of this epoch's order, as accelerate's {@code even_batches} does, rather than dropped:
 * a DreamBooth set of five photos must not lose a third of them every epoch. So every image appears
 * {@code repeats} times per epoch and a few up to once more, every global batch is full, and every
 * rank takes the same number of steps. Rank r takes slots {@code [r*B, (r+1)*B)} of every global
 * batch, so N ranks of batch B see exactly what one rank of batch N*B sees. A step is
 * {@code accumulation} consecutive global batches; the epoch's last step has fewer when the batch
 * count is not a multiple (as accelerate syncs at the end of a dataloader).
 */
public final class EpochPlanner {
    private final Examples examples;
    private final PlanSettings settings;
    private final int batchesPerEpoch;

    public EpochPlanner(List<PlanImage> instances, List<PlanImage> classes, PlanSettings settings) {
        this.examples = Examples.of(instances, classes);
        this.settings = settings;
        int g = settings.globalBatchSize();
        int batches = 0;
        for (int[] group : examples.groups) batches += (group.length + g - 1) / g;
        this.batchesPerEpoch = batches;
    }

    public PlanSettings settings() {
        return settings;
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    public int stepsPerEpoch() {
        return (batchesPerEpoch + settings.accumulation() - 1) / settings.accumulation();
    }

    /** Examples an epoch trains on, padding included: the same for every epoch. */
    public long examplesPerEpoch() {
        return (long) batchesPerEpoch * settings.globalBatchSize();
    }

    /** Images per example: 2 with prior preservation (instance and class), else 1. */
    public int imagesPerExample() {
        return examples.priorPreservation() ? 2 : 1;
    }

    public EpochPlan epoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch " + epoch);
        SplittableRandom random = Seeds.random(settings.seed(), Seeds.SHUFFLE, epoch);
        int g = settings.globalBatchSize();
        List<int[]> batches = new ArrayList<>(batchesPerEpoch);
        for (int[] group : examples.groups) {
            int[] order = group.clone();
            shuffle(order, random);
            for (int start = 0; start < order.length; start += g) {
                int[] batch = new int[g];
                for (int s = 0; s < g; s++) batch[s] = order[(start + s) % order.length];
                batches.add(batch);
            }
        }
        for (int i = batches.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            batches.set(i, batches.set(j, batches.get(i)));
        }
        return new EpochPlan(epoch, batches, examples, settings, examplesPerEpoch());
    }

    /**
     * One rank's optimizer steps from {@code from} on, through as many epochs as are asked for;
     * each element is the step's micro-batches for that rank.
     */
    public Iterator<List<MicroBatch>> steps(Position from, int rank) {
        if (from.step() >= stepsPerEpoch()) {
            throw new IllegalArgumentException("position " + from + " is past the " + stepsPerEpoch() + " steps of an epoch");
        }
        return new Iterator<>() {
            private Position next = from;
            private EpochPlan plan;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public List<MicroBatch> next() {
                if (plan == null || plan.epoch() != next.epoch()) plan = epoch(next.epoch());
                List<MicroBatch> step = plan.step(next.step(), rank);
                next = next.next(stepsPerEpoch());
                return step;
            }
        };
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
