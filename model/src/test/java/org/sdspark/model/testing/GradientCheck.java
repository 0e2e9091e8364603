package org.sdspark.model.testing;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.assertj.core.api.Assertions;

/**
 * Gradients of a scalar loss with respect to every floating-point tensor of a model, optionally
 * with a {@link ForcedGc} between forward and backward.
 */
public final class GradientCheck {
    private GradientCheck() {
    }

    public static Map<String, NDArray> gradients(Map<String, NDArray> tensors, Supplier<NDArray> loss, boolean gcBeforeBackward) {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        tensors.forEach((k, t) -> {
            if (t.getDataType().isFloating()) {
                parameters.put(k, t);
            }
        });
        parameters.values().forEach(p -> p.setRequiresGradient(true));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray value = loss.get();
            if (gcBeforeBackward) {
                ForcedGc.run();
            }
            collector.backward(value);
        }
        Map<String, NDArray> grads = new LinkedHashMap<>();
        parameters.forEach((k, p) -> grads.put(k, p.getGradient()));
        return grads;
    }

    /**
     * Every gradient within {@link Parity#FP32_TOLERANCE} of its reference, relative to its own
     * norm, or to the largest gradient's norm where the reference is zero up to rounding (e.g. an
     * attention key bias, which the softmax cancels).
     */
    public static void assertClose(String what, Map<String, NDArray> actual, Map<String, NDArray> expected) {
        double largest = expected.values().stream().mapToDouble(g -> g.norm().getDouble()).max().orElse(0);
        expected.forEach((key, reference) -> {
            double norm = reference.norm().getDouble();
            if (norm > 1e-6 * largest) {
                Parity.assertClose(what + " grad." + key, actual.get(key), reference);
            } else {
                double diff = actual.get(key).toType(reference.getDataType(), false).sub(reference).norm().getDouble();
                Assertions.assertThat(diff / largest).as(what + " grad." + key + " (zero) error").isLessThanOrEqualTo(Parity.FP32_TOLERANCE);
            }
        });
    }
}
