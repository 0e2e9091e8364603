package org.sdspark.model.train;

import java.util.Map;

/** Where per-step scalars go (TensorBoard events, CSV, a loss-curve plot: the writers live elsewhere). */
@FunctionalInterface
public interface MetricsSink {
    MetricsSink NONE = (step, values) -> { };

    void write(long step, Map<String, Double> values);
}
