package org.sdspark.jobs.train.metrics;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Map;

/**
 * A destination of training metrics. {@code step} is the number of optimizer steps taken so far
 * (1 after the first), the x axis of every curve; names are TensorBoard tags ("loss", "lr/unet").
 */
public interface MetricsWriter extends AutoCloseable {

    void scalars(long step, Map<String, Double> values) throws IOException;

    /** A picture for the step, such as a validation grid; writers without images ignore it. */
    default void image(long step, String tag, BufferedImage image) throws IOException {
    }

    @Override
    void close() throws IOException;
}
