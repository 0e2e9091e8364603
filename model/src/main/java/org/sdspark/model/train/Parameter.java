package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;

/** One tensor of the model by its full key ({@code unet.conv_in.weight}), the model's own array. */
public record Parameter(String key, NDArray tensor) {
}
