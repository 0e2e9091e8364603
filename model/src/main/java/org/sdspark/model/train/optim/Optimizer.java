package org.sdspark.model.train.optim;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Updates the flat fp32 master parameters in place from the flat gradients. {@code step} is the
 * 1-based number of this update among applied ones (bias correction counts it).
 */
public interface Optimizer extends AutoCloseable {

    void step(NDArray parameters, NDArray gradients, List<Segment> segments, long step);

    /** The state a checkpoint saves, each tensor over the whole flat buffer. */
    List<OptimizerState> state();

    /** Bytes the state occupies (what 8-bit states save). */
    default long stateBytes() {
        return state().stream().mapToLong(s -> s.values().size() * s.values().getDataType().getNumOfBytes()).sum();
    }

    @Override
    void close();
}
