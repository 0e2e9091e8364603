package org.sdspark.model.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/** The DJL edge of the schedulers: applying the coefficients the pure classes compute. */
final class Tensors {
    private Tensors() {
    }

    /** sample·c.sample + model·c.model, in the inputs' dtype. */
    static NDArray combine(Combination c, NDArray sample, NDArray model) {
        return sample.mul(c.sample()).add(model.mul(c.model()));
    }

    /**
     * Runs {@code body} in a sub-manager of {@code owner}: the inputs are attached to it for the
     * duration, the result is returned to the owner's manager and every intermediate is freed.
     */
    static NDArray scoped(NDArray owner, Supplier<NDArray> body, NDArray... inputs) {
        // Attaching one array twice would hand it back to the scope, not its manager, on close.
        Set<NDArray> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        Arrays.stream(inputs).filter(Objects::nonNull).forEach(distinct::add);
        try (NDManager scope = NDManager.subManagerOf(owner)) {
            scope.tempAttachAll(distinct.toArray(NDArray[]::new));
            return scope.ret(body.get());
        }
    }

    static void checkStep(int stepIndex, int steps) {
        if (stepIndex < 0 || stepIndex >= steps) {
            throw new IllegalArgumentException("step index " + stepIndex + " is outside 0.." + (steps - 1));
        }
    }
}
