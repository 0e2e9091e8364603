package org.sdspark.model.train;

import java.util.List;

/**
 * One micro-batch as the data pipeline hands it over, free of any engine type.
 * {@code stepMicroBatches} is how many micro-batches the optimizer step it belongs to has: the
 * run's accumulation, or fewer for an epoch's last step when the epoch's batch count is not a
 * multiple of it (as accelerate ends an accumulation at the end of its dataloader). {@code images}
 * holds either pixels (B × 3 × H × W in [-1, 1], encoded by the VAE in the loop) or cached latent
 * distributions (B × 2C × h × w: the VAE's mean then log-variance channels, sampled in the loop,
 * so cached and uncached runs draw the same latents). {@code prior} marks class images of
 * prior preservation; {@code sampleIndices} are global (unique in the epoch across all workers):
 * the random draws of a sample derive from it.
 */
public record TrainingBatch(DataPosition position, int stepMicroBatches, Images images, List<String> captions, boolean[] prior,
                            long[] sampleIndices) {

    /** What {@link Images#data} holds. */
    public enum ImageKind { PIXELS, LATENT_DISTRIBUTION }

    /** B × C × H × W floats, row-major. */
    public record Images(ImageKind kind, float[] data, int batch, int channels, int height, int width) {
        public Images {
            if ((long) batch * channels * height * width != data.length) {
                throw new IllegalArgumentException(data.length + " floats for a " + batch + "x" + channels + "x"
                        + height + "x" + width + " batch");
            }
        }
    }

    public TrainingBatch {
        if (stepMicroBatches < 1) {
            throw new IllegalArgumentException("batch at " + position + ": its step has " + stepMicroBatches + " micro-batches");
        }
        int b = images.batch();
        if (captions.size() != b || prior.length != b || sampleIndices.length != b) {
            throw new IllegalArgumentException("batch at " + position + ": " + b + " images but " + captions.size()
                    + " captions, " + prior.length + " prior flags, " + sampleIndices.length + " sample indices");
        }
    }

    public int size() {
        return images.batch();
    }
}
