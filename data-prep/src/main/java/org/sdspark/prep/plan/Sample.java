package org.sdspark.prep.plan;

import java.io.Serializable;

/**
 * One image of a micro-batch. {@code row} is the {@link PlanImage#row()} of an instance image, or of
 * a class (prior-preservation) image when {@code classImage}. {@code index} is unique over the whole
 * run and independent of the world size: the training core seeds the sample's noise and timestep
 * with it, as the flip and caption-dropout decisions here are.
 */
public record Sample(int row, boolean classImage, long index, boolean flip, boolean dropCaption) implements Serializable {}
