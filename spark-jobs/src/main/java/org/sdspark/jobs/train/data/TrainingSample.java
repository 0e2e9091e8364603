package org.sdspark.jobs.train.data;

/**
 * One image as the training step takes it: {@code values} is channels x height x width floats
 * (channel-major): pixels in [-1, 1] (3 channels, the bucket's size), or cached latent moments
 * (mean then log-variance channels, the latent size), of the mirror image when {@code flipped};
 * {@code caption} is empty when dropped. {@code index} is the planner's global sample index, the
 * seed of the sample's noise and timestep.
 */
public record TrainingSample(String id, float[] values, int channels, int width, int height, String caption,
                             boolean flipped, boolean captionDropped, boolean classImage, long index) {}
