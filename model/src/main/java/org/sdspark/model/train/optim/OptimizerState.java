package org.sdspark.model.train.optim;

import ai.djl.ndarray.NDArray;

/**
 * One state tensor of an optimizer over the flat buffer, with how many flat elements each of its
 * entries covers: 1 for per-element moments, the block size for per-block quantisation scales.
 * Checkpoints split it by parameter key with that granularity.
 */
public record OptimizerState(String name, NDArray values, int elementsPerEntry) {
}
