package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Draws from the engine's generator reseeded for each draw, for tensors too large to fill in Java
 * (dropout masks). The engine's generator is one per process, so seeding and drawing happen under
 * one lock: concurrent training threads (Spark local[N]) still get the draw their seed names.
 */
public final class EngineRandom {
    private static final Object LOCK = new Object();

    private EngineRandom() {
    }

    /** Uniform [0, 1) of {@code shape}, a pure function of {@code seed} on a given device. */
    public static NDArray uniform(NDManager manager, long seed, Shape shape, DataType type) {
        synchronized (LOCK) {
            JniUtils.setSeed(seed);
            return manager.randomUniform(0f, 1f, shape, type);
        }
    }
}
