package org.sdspark.jobs.train.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.sdspark.model.train.DataPosition;
import org.sdspark.model.train.TrainingData;
import org.sdspark.prep.plan.EpochPlanner;
import org.sdspark.prep.plan.Position;
import org.sdspark.prep.tensor.TrainingImageTransform;

/**
 * One rank's shard of a prepared dataset as the training loop takes it: the planner's steps read
 * by a {@link ShardLoader}, flattened into micro-batches of pixels. The loop counts micro-batches
 * within an epoch ({@link DataPosition}); the planner counts steps of {@code accumulation}
 * micro-batches, the last of an epoch possibly shorter, so micro-batch m of an epoch is step
 * m / accumulation, micro m % accumulation, and each micro-batch carries its step's size so that
 * the loop accumulates exactly the plan's step. Flips and caption dropout are already applied by
 * the plan. Closing stops the loaders' threads.
 */
public final class ShardTrainingData implements TrainingData, AutoCloseable {
    private final EpochPlanner planner;
    private final int rank;
    private final PreparedDataset dataset;
    private final Configuration conf;
    private final TrainingImageTransform transform;
    private final int threads;
    private final int prefetch;
    private final List<ShardLoader> loaders = new ArrayList<>();

    public ShardTrainingData(EpochPlanner planner, int rank, PreparedDataset dataset, Configuration conf,
                             TrainingImageTransform transform, int threads, int prefetch) {
        this.planner = planner;
        this.rank = rank;
        this.dataset = dataset;
        this.conf = conf;
        this.transform = transform;
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
        ShardLoader loader = new ShardLoader(planner, rank, start, dataset, Optional.empty(), conf, transform, threads, prefetch);
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
                return batch(pending.removeFirst(), accumulation, stepSize);
            }
        };
    }

    private static org.sdspark.model.train.TrainingBatch batch(TrainingBatch micro, int accumulation, int stepSize) {
        List<TrainingSample> samples = micro.samples();
        TrainingSample first = samples.get(0);
        int perImage = first.pixels().length;
        float[] pixels = new float[perImage * samples.size()];
        List<String> captions = new ArrayList<>();
        boolean[] prior = new boolean[samples.size()];
        long[] indices = new long[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            TrainingSample s = samples.get(i);
            System.arraycopy(s.pixels(), 0, pixels, i * perImage, perImage);
            captions.add(s.caption());
            prior[i] = s.classImage();
            indices[i] = s.index();
        }
        DataPosition position = new DataPosition(micro.epoch(), (long) micro.step() * accumulation + micro.micro());
        return new org.sdspark.model.train.TrainingBatch(position, stepSize, new org.sdspark.model.train.TrainingBatch.Images(
                org.sdspark.model.train.TrainingBatch.ImageKind.PIXELS, pixels, samples.size(), 3, first.height(), first.width()),
                captions, prior, indices);
    }

    @Override
    public void close() {
        loaders.forEach(ShardLoader::close);
    }
}
