package org.sdspark.model.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic micro-batches for loop tests: each batch a pure function of (epoch, index), epochs
 * of {@code batchesPerEpoch}, global sample indices unique per epoch. Pixels (3 × 64 × 64 for the
 * tiny VAE) or cached latent distributions (8 × 8 × 8), odd samples prior (class) images when
 * {@code withPrior}. Steps of {@code accumulation} micro-batches, an epoch's last one shorter when
 * the epoch does not divide.
 */
record SyntheticData(TrainingBatch.ImageKind kind, int batchSize, int batchesPerEpoch, boolean withPrior,
                     int accumulation) implements TrainingData {
    SyntheticData(TrainingBatch.ImageKind kind, int batchSize, int batchesPerEpoch, boolean withPrior) {
        this(kind, batchSize, batchesPerEpoch, withPrior, 1);
    }

    // "" stands for a caption the data pipeline dropped
    private static final String[] CAPTIONS = {"a photo of sks dog", "a red circle", "", "a blue square on grass", "a dog"};

    @Override
    public Iterator<TrainingBatch> from(DataPosition position) {
        return new Iterator<>() {
            long epoch = position.epoch() + position.batch() / batchesPerEpoch;
            long index = position.batch() % batchesPerEpoch;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public TrainingBatch next() {
                TrainingBatch b = batch(epoch, index);
                if (++index == batchesPerEpoch) {
                    epoch++;
                    index = 0;
                }
                return b;
            }
        };
    }

    TrainingBatch batch(long epoch, long index) {
        boolean pixels = kind == TrainingBatch.ImageKind.PIXELS;
        int channels = pixels ? 3 : 8;
        int side = pixels ? 64 : 8;
        int per = channels * side * side;
        float[] data = new float[batchSize * per];
        SplittableRandom r = new SplittableRandom(epoch * 1_000_003 + index);
        for (int i = 0; i < data.length; i++) {
            int channel = i % per / (side * side);
            data[i] = pixels ? (float) r.nextDouble(-1, 1) : (float) (channel < 4 ? r.nextGaussian() : -1 + 0.2 * r.nextGaussian());
        }
        List<String> captions = new ArrayList<>();
        boolean[] prior = new boolean[batchSize];
        long[] samples = new long[batchSize];
        for (int i = 0; i < batchSize; i++) {
            samples[i] = (index * batchSize + i);
            captions.add(CAPTIONS[(int) ((samples[i] + epoch) % CAPTIONS.length)]);
            prior[i] = withPrior && samples[i] % 2 == 1;
        }
        long stepStart = index / accumulation * accumulation;
        int stepMicroBatches = (int) Math.min(accumulation, batchesPerEpoch - stepStart);
        return new TrainingBatch(new DataPosition(epoch, index), stepMicroBatches,
                new TrainingBatch.Images(kind, data, batchSize, channels, side, side), captions, prior, samples);
    }
}
