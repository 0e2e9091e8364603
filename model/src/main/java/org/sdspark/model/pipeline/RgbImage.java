package org.sdspark.model.pipeline;

import java.awt.image.BufferedImage;

/**
 * An RGB image as floats in [0, 1], height x width x 3 row-major (the layout diffusers' pipelines
 * return), and its 8-bit form: {@code round(x * 255)} with ties to even, as numpy rounds.
 */
public record RgbImage(int height, int width, float[] pixels) {
    public RgbImage {
        if (pixels.length != height * width * 3) {
            throw new IllegalArgumentException(height + "x" + width + " RGB needs " + height * width * 3
                    + " values, got " + pixels.length);
        }
    }

    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (toByte(pixels[3 * i]) << 16) | (toByte(pixels[3 * i + 1]) << 8) | toByte(pixels[3 * i + 2]);
        }
        img.setRGB(0, 0, width, height, rgb, 0, width);
        return img;
    }

    static int toByte(float v) {
        float clamped = Math.min(1f, Math.max(0f, v));
        return (int) Math.rint(clamped * 255f); // float32 product, as numpy computes it on float32 images
    }
}
