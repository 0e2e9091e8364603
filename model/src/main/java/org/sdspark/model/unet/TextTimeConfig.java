package org.sdspark.model.unet;

/**
 * SDXL's added conditioning (diffusers' {@code addition_embed_type = "text_time"}): each of the
 * micro-conditioning numbers (original size, crop top-left, target size: six) becomes
 * {@code additionTimeEmbedDim} sinusoidal features, appended to the pooled text embedding; the
 * {@code projectionClassEmbeddingsInputDim} wide result is lifted to the time embedding and added to it.
 */
public record TextTimeConfig(int additionTimeEmbedDim, int projectionClassEmbeddingsInputDim) {
    /** original (h, w), crop (top, left), target (h, w). */
    public static final int TIME_IDS = 6;

    public TextTimeConfig {
        if (additionTimeEmbedDim <= 0) {
            throw new IllegalArgumentException("addition_time_embed_dim must be positive, got " + additionTimeEmbedDim);
        }
        if (projectionClassEmbeddingsInputDim <= TIME_IDS * additionTimeEmbedDim) {
            throw new IllegalArgumentException("projection_class_embeddings_input_dim " + projectionClassEmbeddingsInputDim
                    + " leaves no room for the pooled text embedding beside " + TIME_IDS + " x addition_time_embed_dim "
                    + additionTimeEmbedDim);
        }
    }

    /** Width of the pooled text embedding the UNet expects (text_encoder_2's projection_dim). */
    public int textEmbedsDim() {
        return projectionClassEmbeddingsInputDim - TIME_IDS * additionTimeEmbedDim;
    }
}
