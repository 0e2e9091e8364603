package org.sdspark.prep.plan;

import java.util.ArrayList;
import java.util.List;

/** One epoch's global batches in training order, each a list of example ids. */
public final class EpochPlan {
    private final int epoch;
    private final List<int[]> batches;
    private final Examples examples;
    private final PlanSettings settings;
    private final long examplesPerEpoch;

    EpochPlan(int epoch, List<int[]> batches, Examples examples, PlanSettings settings, long examplesPerEpoch) {
        this.epoch = epoch;
        this.batches = batches;
        this.examples = examples;
        this.settings = settings;
        this.examplesPerEpoch = examplesPerEpoch;
    }

    public int epoch() {
        return epoch;
    }

    public int batches() {
        return batches.size();
    }

    /** Optimizer step {@code step} for {@code rank}: its share of each of the step's global batches. */
    public List<MicroBatch> step(int step, int rank) {
        int a = settings.accumulation();
        int first = step * a;
        if (step < 0 || first >= batches.size()) {
            throw new IllegalArgumentException("epoch " + epoch + " has no step " + step);
        }
        List<MicroBatch> micro = new ArrayList<>(a);
        for (int b = first; b < Math.min(first + a, batches.size()); b++) micro.add(microBatch(b, rank));
        return micro;
    }

    /** Rank {@code rank}'s slots {@code [rank * B, (rank + 1) * B)} of global batch {@code batch}. */
    public MicroBatch microBatch(int batch, int rank) {
        if (rank < 0 || rank >= settings.worldSize()) {
            throw new IllegalArgumentException("rank " + rank + " of world size " + settings.worldSize());
        }
        int b = settings.batchSize();
        int[] ids = batches.get(batch);
        int perExample = examples.priorPreservation() ? 2 : 1;
        List<Sample> instances = new ArrayList<>(b);
        List<Sample> classes = new ArrayList<>(examples.priorPreservation() ? b : 0);
        for (int slot = rank * b; slot < (rank + 1) * b; slot++) {
            long example = (long) epoch * examplesPerEpoch + (long) batch * ids.length + slot;
            int id = ids[slot];
            instances.add(sample(examples.instanceRow[id], false, example * perExample));
            if (examples.priorPreservation()) classes.add(sample(examples.classRow[id], true, example * perExample + 1));
        }
        instances.addAll(classes);
        return new MicroBatch(epoch, batch / settings.accumulation(), batch % settings.accumulation(), rank, instances);
    }

    private Sample sample(int row, boolean classImage, long index) {
        long seed = settings.seed();
        return new Sample(row, classImage, index,
                Seeds.chance(seed, Seeds.FLIP, index, settings.flipProbability()),
                Seeds.chance(seed, Seeds.CAPTION, index, settings.captionDropout()));
    }
}
