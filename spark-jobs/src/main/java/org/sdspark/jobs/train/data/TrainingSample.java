package org.sdspark.jobs.train.data;

/**
 * One image as the training step takes it: {@code pixels} is 3 x height x width floats in [-1, 1]
 * (channel-major), already flipped when {@code flipped}; {@code caption} is empty when dropped.
 * {@code index} is the planner's global sample index, the seed of the sample's noise and timestep.
 */
public record TrainingSample(String id, float[] pixels, int width, int height, String caption,
                             boolean flipped, boolean captionDropped, boolean classImage, long index) {}
