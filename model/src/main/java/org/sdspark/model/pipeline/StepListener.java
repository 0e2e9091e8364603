package org.sdspark.model.pipeline;

/** Told after every denoising step of every image. */
@FunctionalInterface
public interface StepListener {
    StepListener NONE = (image, images, step, steps) -> { };

    /** Image {@code image} (0-based) of {@code images} finished step {@code step} (1-based) of {@code steps}. */
    void stepDone(int image, int images, int step, int steps);
}
