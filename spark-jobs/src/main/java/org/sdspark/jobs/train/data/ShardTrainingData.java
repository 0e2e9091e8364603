package org.sdspark.jobs.train.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.sdspark.model.train.DataPosition;
import org.sdspark.model.train.TrainingData;
import org.sdspark.prep.plan.EpochPlanner;
import org.sdspark.prep.plan.Position;

/**
 * One rank's shard of a prepared dataset as the training loop takes it: the planner's steps read
 * by a {@link ShardLoader}, flattened into micro-batches of pixels or cached latents. The loop counts micro-batches
 * within an epoch ({@link DataPosition}); the planner counts steps of {@code accumulation}
 * micro-batches, the last of an epoch possibly shorter, so micro-batch m of an epoch is step
 * m / accumulation, micro m % accumulation, and each micro-batch carries its step's size so that
 * the loop accumulates exactly the plan's step. Flips and caption dropout are already applied by
 * the plan. Closing stops the loaders' threads.
 */
public final class ShardTrainingData implements TrainingData, AutoCloseable {
    private final EpochPlanner planner;
    private final int rank;
    private final PreparedDataset instances;
    private final Optional<PreparedDataset> classes;
    private final Function<PreparedDataset, SampleSource> sources;
    private final int threads;
    private final int prefetch;
    private final List<ShardLoader> loaders = new ArrayList<>();

    /** @param classes prior preservation's class images, paired by the planner */
    public ShardTrainingData(EpochPlanner planner, int rank, PreparedDataset instances, Optional<PreparedDataset> classes,
                             Function<PreparedDataset, SampleSource> sources, int threads, int prefetch) {
        this.planner = planner;
        this.rank = rank;
        this.instances = instances;
        this.classes = classes;
        this.sources = sources;
        this.threads = threads;
        this.prefetch = prefetch;
    }

    @Override
    public Iterator<org.sdspark.model.train.TrainingBatch> from(DataPosition position) {
        int accumulation = planner.settings().accumulation();
        long step = position.batch() / accumulation;
        boolean epochDone = position.batch() >= planner.batchesPerEpoch();
        Position start = epochDone ? new Position(Math.toIntExact(position.epoch()) + 1, 0)
                : new Position(Math.toIntExact(position.epoch()), (int) step);
        int skip = epochDone ? 0 : (int) (position.batch() % accumulation);
        ShardLoader loader = new ShardLoader(planner, rank, start, instances, classes, sources, threads, prefetch);
        loaders.add(loader);
        return new Iterator<>() {
            private final Deque<TrainingBatch> pending = new ArrayDeque<>();
            private int toSkip = skip;
            private int stepSize;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public org.sdspark.model.train.TrainingBatch next() {
                while (pending.isEmpty()) {
                    List<TrainingBatch> step = loader.next().microBatches();
                    stepSize = step.size();
                    pending.addAll(step);
                    for (; toSkip > 0 && !pending.isEmpty(); toSkip--) {
                        pending.removeFirst();
                    }
                }
                return batch(pending.removeFirst(), loader.kind(), accumulation, stepSize);
            }
        };
    }

    private static org.sdspark.model.train.TrainingBatch batch(TrainingBatch micro, org.sdspark.model.train.TrainingBatch.ImageKind kind,
                                                               int accumulation, int stepSize) {
        List<TrainingSample> samples = micro.samples();
        TrainingSample first = samples.get(0);
        int perImage = first.values().length;
        float[] values = new float[perImage * samples.size()];
        List<String> captions = new ArrayList<>();
        boolean[] prior = new boolean[samples.size()];
        long[] indices = new long[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            TrainingSample s = samples.get(i);
            if (s.values().length != perImage) {
                throw new IllegalStateException("sample " + s.id() + " is " + s.channels() + "x" + s.height() + "x" + s.width()
                        + " but sample " + first.id() + " of its micro-batch is " + first.channels() + "x" + first.height() + "x"
                        + first.width() + ": a micro-batch holds one size");
            }
            System.arraycopy(s.values(), 0, values, i * perImage, perImage);
            captions.add(s.caption());
            prior[i] = s.classImage();
            indices[i] = s.index();
        }
        DataPosition position = new DataPosition(micro.epoch(), (long) micro.step() * accumulation + micro.micro());
        return new org.sdspark.model.train.TrainingBatch(position, stepSize, new org.sdspark.model.train.TrainingBatch.Images(
                kind, values, samples.size(), first.channels(), first.height(), first.width()), captions, prior, indices);
    }

    @Override
    public void close() {
        loaders.forEach(ShardLoader::close);
    }
}
