package org.sdspark.model.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Compares a tensor with a reference by relative L2 error, ||a - b|| / ||b||. */
public final class Parity {
    /** The fp32 bar every component must meet against its reference implementation. */
    public static final double FP32_TOLERANCE = 1e-4;

    private Parity() {
    }

    public static double relativeError(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).as("shape").isEqualTo(expected.getShape());
        NDArray a = actual.toType(DataType.FLOAT64, false);
        NDArray b = expected.toType(DataType.FLOAT64, false);
        double diff = a.sub(b).norm().getDouble();
        double ref = b.norm().getDouble();
        assertThat(Double.isFinite(diff)).as("finite difference").isTrue();
        return ref == 0 ? diff : diff / ref;
    }

    /** The bar for gradients and updated weights after a training step (issue 8). */
    public static final double TRAINING_TOLERANCE = 1e-3;

    /** Asserts parity within {@link #FP32_TOLERANCE} and returns the error for reporting. */
    public static double assertClose(String what, NDArray actual, NDArray expected) {
        return assertClose(what, actual, expected, FP32_TOLERANCE);
    }

    public static double assertClose(String what, NDArray actual, NDArray expected, double tolerance) {
        double err = relativeError(actual, expected);
        System.out.printf("parity %-40s rel.err %.3e%n", what, err);
        assertThat(err).as(what + " relative error").isLessThanOrEqualTo(tolerance);
        return err;
    }
}
