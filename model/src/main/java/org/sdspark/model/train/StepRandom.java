package org.sdspark.model.train;

import java.util.SplittableRandom;
import org.sdspark.model.nn.Seeds;

/**
 * The random draws of one sample in one micro-batch, a pure function of (run seed, optimizer step,
 * micro-batch, global sample index): never of the rank, the batch size or what ran before, so a
 * resumed run draws what an uninterrupted one would, and 2 workers × batch B draw what 1 worker ×
 * batch 2B does. Drawn in Java (Box–Muller on SplittableRandom), so they are the same on every
 * device and JDK. Each quantity has its own stream, so adding one never shifts another.
 */
public final class StepRandom {
    private final long seed;
    private final long step;
    private final int microBatch;

    public StepRandom(long seed, long step, int microBatch) {
        this.seed = seed;
        this.step = step;
        this.microBatch = microBatch;
    }

    /** The seed of everything drawn per micro-batch rather than per sample (LoRA dropout masks). */
    public long microBatchSeed() {
        return Seeds.mix(seed, step, microBatch);
    }

    private SplittableRandom stream(long sample, int what) {
        return new SplittableRandom(Seeds.mix(seed, step, microBatch, sample, what));
    }

    /** Uniform integer timestep in [0, trainSteps). */
    public int timestep(long sample, int trainSteps) {
        return stream(sample, 1).nextInt(trainSteps);
    }

    /** The diffusion noise, N(0, 1), into {@code out[offset, offset + count)}. */
    public void noise(long sample, float[] out, int offset, int count) {
        gaussians(stream(sample, 2), out, offset, count);
    }

    /** Offset-noise draws, one N(0, 1) per channel. */
    public void channelOffsets(long sample, float[] out, int offset, int count) {
        gaussians(stream(sample, 3), out, offset, count);
    }

    /** The draw that samples a latent from the VAE's posterior (mean + std · eps). */
    public void latentSample(long sample, float[] out, int offset, int count) {
        gaussians(stream(sample, 4), out, offset, count);
    }

    private static void gaussians(SplittableRandom random, float[] out, int offset, int count) {
        for (int i = 0; i < count; i += 2) {
            double radius = Math.sqrt(-2 * Math.log(1 - random.nextDouble()));
            double angle = 2 * Math.PI * random.nextDouble();
            out[offset + i] = (float) (radius * Math.cos(angle));
            if (i + 1 < count) {
                out[offset + i + 1] = (float) (radius * Math.sin(angle));
            }
        }
    }
}
