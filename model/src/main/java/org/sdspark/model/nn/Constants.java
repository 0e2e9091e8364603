package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Scalars and constant arrays for NDArray arithmetic, in memory the engine owns. Code in model/
 * takes its numbers from here, never as a {@code Number} argument or a Java array.
 *
 * <p>The trap: DJL's {@code x.mul(3)}, {@code div}, {@code add}, {@code sub} and {@code pow} of a
 * {@code Number} wrap the number in a 0-d tensor over a Java direct buffer and close it as soon as
 * the op returns, and on the CPU {@code NDManager.create(long[] | float[] | ...)} is a tensor over a
 * Java buffer too (the engine does not copy it). Autograd keeps what backward reads (the factor of
 * a mul or div, the indices of an index op); once the Java array is closed (the scalar at once, a
 * forward's temporaries when its sub-manager closes), any garbage collection before backward frees
 * the buffer and backward reads freed memory: the gradient of {@code x.mul(3)} comes out as -2e8,
 * an index backward fails out of bounds. A copy made by the engine owns its memory.
 */
public final class Constants {
    private Constants() {
    }

    /**
     * {@code value} as a 0-d tensor in {@code like}'s manager and device, for {@code x.mul(scalar(x, v))}.
     * float64 like DJL's own scalars: a 0-d operand does not change the result's dtype, and the
     * kernels read it at the precision they compute in (float32 for float16 tensors too).
     */
    public static NDArray scalar(NDArray like, double value) {
        // Filled by the engine on the device: a copy from a Java buffer would synchronise the GPU
        // with the host, and cannot be recorded in a CUDA graph.
        return JniUtils.full((PtNDManager) like.getManager(), new Shape(), value, DataType.FLOAT64, like.getDevice(),
                SparseFormat.DENSE);
    }

    /** A 1-d int64 array, e.g. indices for {@code get}. */
    public static NDArray of(NDManager manager, long[] values) {
        return owned(manager.create(values));
    }

    /** A float32 array of {@code shape}. */
    public static NDArray of(NDManager manager, float[] values, Shape shape) {
        return owned(manager.create(values, shape));
    }

    /** The engine's own copy of an array made over a Java or memory-mapped buffer, which is closed. */
    public static NDArray owned(NDArray overJavaBuffer) {
        try (overJavaBuffer) {
            return overJavaBuffer.duplicate();
        }
    }
}
