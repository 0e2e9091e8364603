package org.sdspark.model.train;

import ai.djl.ndarray.types.DataType;

/**
 * FP32 trains in float32 throughout. FP16 runs forward and backward on a float16 copy of the
 * model with float32 master weights and dynamic loss scaling (DJL's PyTorch engine has no
 * bfloat16).
 */
public enum Precision {
    FP32(DataType.FLOAT32), FP16(DataType.FLOAT16);

    private final DataType modelType;

    Precision(DataType modelType) {
        this.modelType = modelType;
    }

    public DataType modelType() {
        return modelType;
    }
}
