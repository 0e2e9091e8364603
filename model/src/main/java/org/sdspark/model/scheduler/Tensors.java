package org.sdspark.model.scheduler;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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

    /**
     * sample·c.sample + model·c.model, in float32 at least: diffusers' samplers upcast half
     * precision latents for the step and round only the result.
     */
    static NDArray combine(Combination c, NDArray sample, NDArray model) {
        NDArray x = atLeastFloat32(sample);
        return x.mul(scalar(x, c.sample())).add(atLeastFloat32(model).mul(scalar(x, c.model())));
    }

    static NDArray atLeastFloat32(NDArray x) {
        return x.getDataType() == DataType.FLOAT16 ? x.toType(DataType.FLOAT32, false) : x;
    }

    /**
     * Runs {@code body} in a sub-manager of {@code owner}: the inputs are attached to it for the
     * duration, the result is returned to the owner's manager in the owner's dtype, and every
     * intermediate is freed.
     */
    static NDArray scoped(NDArray owner, Supplier<NDArray> body, NDArray... inputs) {
        // Attaching one array twice would hand it back to the scope, not its manager, on close.
        Set<NDArray> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        Arrays.stream(inputs).filter(Objects::nonNull).forEach(distinct::add);
        try (NDManager scope = NDManager.subManagerOf(owner)) {
            scope.tempAttachAll(distinct.toArray(NDArray[]::new));
            return scope.ret(body.get().toType(owner.getDataType(), false));
        }
    }

    static void checkStep(int stepIndex, int steps) {
        if (stepIndex < 0 || stepIndex >= steps) {
            throw new IllegalArgumentException("step index " + stepIndex + " is outside 0.." + (steps - 1));
        }
    }
}
