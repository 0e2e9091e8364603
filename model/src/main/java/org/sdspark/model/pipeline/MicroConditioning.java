package org.sdspark.model.pipeline;

/**
 * SDXL's micro-conditioning (diffusers' {@code original_size}, {@code crops_coords_top_left},
 * {@code target_size}): the size a training image had before it was resized, the top-left corner
 * of the crop taken from it, and the size it was trained at. A null size means the output size,
 * as diffusers defaults both; the crop defaults to (0, 0).
 */
public record MicroConditioning(Size originalSize, int cropLeft, int cropTop, Size targetSize) {
    public static final MicroConditioning DEFAULT = new MicroConditioning(null, 0, 0, null);

    /** An image size in pixels. */
    public record Size(int width, int height) {
        public Size {
            if (width <= 0 || height <= 0) {
                throw new IllegalArgumentException("a size must be positive, got " + width + "x" + height);
            }
        }
    }

    public MicroConditioning {
        if (cropLeft < 0 || cropTop < 0) {
            throw new IllegalArgumentException("the crop's top-left corner must be >= 0, got " + cropLeft + "," + cropTop);
        }
    }

    /**
     * diffusers' {@code add_time_ids} for an output of {@code width x height}: original (height,
     * width), crop (top, left), target (height, width) — rows before columns, as SDXL was trained.
     */
    public float[] timeIds(int width, int height) {
        Size original = originalSize == null ? new Size(width, height) : originalSize;
        Size target = targetSize == null ? new Size(width, height) : targetSize;
        return new float[] {original.height(), original.width(), cropTop, cropLeft, target.height(), target.width()};
    }
}
