package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.scheduler.DdpmScheduler;
import org.sdspark.model.vae.AutoencoderKL;
import org.sdspark.model.vae.LatentDistribution;

/**
 * One micro-batch turned into the diffusion step's inputs, every random draw from
 * {@link StepRandom}: latents (VAE posterior sampled, scaled), noise with offset, timesteps, the
 * noised latents, the regression target, and the captions' token ids. No gradient
 * flows through any of it (the VAE is frozen).
 */
record MicroBatch(NDArray noisyLatents, NDArray timesteps, long[] timestepValues, NDArray target, NDArray tokenIds,
                  boolean[] prior) {

    static MicroBatch prepare(NDManager scope, TrainingBatch batch, StepRandom random, AutoencoderKL vae,
                              DdpmScheduler scheduler, ClipTokenizer tokenizer, double noiseOffset) {
        return Autograd.paused(() -> {
            long[] samples = batch.sampleIndices();
            LatentDistribution posterior = posterior(scope, batch.images(), vae);
            Shape shape = posterior.mean().getShape();
            int b = (int) shape.get(0);
            int c = (int) shape.get(1);
            int perSample = (int) (shape.size() / b);
            float[] eps = new float[(int) shape.size()];
            float[] noise = new float[eps.length];
            float[] offsets = new float[c];
            long[] t = new long[b];
            for (int i = 0; i < b; i++) {
                random.latentSample(samples[i], eps, i * perSample, perSample);
                random.noise(samples[i], noise, i * perSample, perSample);
                if (noiseOffset > 0) {
                    random.channelOffsets(samples[i], offsets, 0, c);
                    int plane = perSample / c;
                    for (int j = 0; j < perSample; j++) {
                        noise[i * perSample + j] += (float) (noiseOffset * offsets[j / plane]);
                    }
                }
                t[i] = random.timestep(samples[i], scheduler.trainSteps());
            }
            NDArray latents = vae.scale(posterior.sample(scope.create(eps, shape)));
            NDArray noiseArray = scope.create(noise, shape);
            NDArray timesteps = engineOwned(scope.create(t));
            NDArray noisy = scheduler.addNoise(latents, noiseArray, timesteps);
            NDArray target = scheduler.target(latents, noiseArray, timesteps).toType(DataType.FLOAT32, false);
            return new MicroBatch(noisy, timesteps, t, target, tokenIds(scope, batch, tokenizer),
                    batch.prior().clone());
        });
    }

    // Arrays made from Java data sit on Java buffers; backward may read these (embedding indices).
    private static NDArray engineOwned(NDArray javaBacked) {
        NDArray owned = javaBacked.duplicate();
        javaBacked.close();
        return owned;
    }

    private static LatentDistribution posterior(NDManager scope, TrainingBatch.Images images, AutoencoderKL vae) {
        Shape shape = new Shape(images.batch(), images.channels(), images.height(), images.width());
        NDArray data = scope.create(images.data(), shape);
        if (images.kind() == TrainingBatch.ImageKind.PIXELS) {
            LatentDistribution d = vae.encode(data.toType(vae.dataType(), false));
            return new LatentDistribution(d.mean().toType(DataType.FLOAT32, false), d.logvar().toType(DataType.FLOAT32, false));
        }
        int c = images.channels() / 2;
        return new LatentDistribution(data.get(":, :{}", c), data.get(":, {}:", c));
    }

    private static NDArray tokenIds(NDManager scope, TrainingBatch batch, ClipTokenizer tokenizer) {
        List<long[]> rows = new ArrayList<>();
        for (String caption : batch.captions()) {
            rows.add(tokenizer.encode(caption).longIds());
        }
        int length = rows.get(0).length;
        long[] flat = new long[rows.size() * length];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, flat, i * length, length);
        }
        return engineOwned(scope.create(flat, new Shape(rows.size(), length)));
    }
}
