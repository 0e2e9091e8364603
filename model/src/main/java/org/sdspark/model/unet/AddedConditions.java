package org.sdspark.model.unet;

import ai.djl.ndarray.NDArray;

/**
 * diffusers' {@code added_cond_kwargs} for a text_time UNet (SDXL): {@code textEmbeds} (B, D), the
 * pooled and projected output of the second text encoder, and {@code timeIds} (B, 6): original
 * height and width, crop top and left, target height and width, in pixels.
 */
public record AddedConditions(NDArray textEmbeds, NDArray timeIds) {
}
