package org.sdspark.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.function.Function;

/**
 * Folds LoRAs into a model's weights, as kohya's merge and diffusers' {@code fuse_lora} do:
 * {@code W += multiplier * (alpha / rank) * up . down}, computed in float32 and added in the
 * weight's own dtype. A conv adapter (down k x k, up 1 x 1) is the product of the flattened
 * kernels reshaped to the weight: the two convolutions in a row are one convolution.
 */
public final class LoraMerge {
    private LoraMerge() {
    }

    /** Merges every module of {@code lora} into the weight {@code weightOf} gives for it, in place. */
    public static void merge(LoraWeights lora, double multiplier, Function<ModuleRef, NDArray> weightOf) {
        for (LoraModule m : lora.modules()) {
            NDArray weight = weightOf.apply(m.module());
            try (NDManager scope = weight.getManager().newSubManager()) {
                NDArray up = m.up().toType(DataType.FLOAT32, true);
                NDArray down = m.down().toType(DataType.FLOAT32, true);
                up.attach(scope);
                down.attach(scope);
                long rank = m.rank();
                NDArray delta = up.reshape(up.getShape().get(0), rank).matMul(down.reshape(rank, -1))
                        .reshape(weight.getShape()).mul(multiplier * m.scale());
                weight.addi(delta.toType(weight.getDataType(), false));
            }
        }
    }
}
