package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sdspark.model.diffusers.DiffusersConfig;

/**
 * transformers' {@code BlipImageProcessor} with its PIL backend: resize to height x width with
 * Pillow's bicubic filter (bit-exact, {@link PillowBicubic}), multiply by {@code rescale_factor},
 * normalise per channel; channels first. Read from {@code preprocessor_config.json} or, as
 * transformers 5 saves processors, the {@code image_processor} object of {@code processor_config.json}.
 */
public record BlipImageProcessor(int height, int width, double rescaleFactor, float[] mean, float[] std) {
    private static final int BICUBIC = 3;

    public BlipImageProcessor {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("image_mean and image_std need 3 values (RGB)");
        }
    }

    public static BlipImageProcessor load(Path folder) {
        Path single = folder.resolve("preprocessor_config.json");
        if (Files.isRegularFile(single)) {
            DiffusersConfig c = DiffusersConfig.read(single);
            BlipImageProcessor processor = read(c);
            c.rejectUnknownKeys();
            return processor;
        }
        DiffusersConfig c = DiffusersConfig.read(folder.resolve("processor_config.json"));
        c.ignore("processor_class");
        DiffusersConfig section = c.section("image_processor");
        BlipImageProcessor processor = read(section);
        section.rejectUnknownKeys();
        return processor;
    }

    private static BlipImageProcessor read(DiffusersConfig c) {
        c.ignore("image_processor_type", "processor_class", "feature_extractor_type");
        for (String step : new String[] {"do_resize", "do_rescale", "do_normalize", "do_convert_rgb"}) {
            c.requireDefault(step, true);
        }
        c.requireDefault("resample", BICUBIC);
        DiffusersConfig size = c.section("size");
        int height = size.getInt("height", 384);
        int width = size.getInt("width", 384);
        size.rejectUnknownKeys();
        List<Double> mean = c.getDoubles("image_mean", List.of(0.48145466, 0.4578275, 0.40821073));
        List<Double> std = c.getDoubles("image_std", List.of(0.26862954, 0.26130258, 0.27577711));
        try {
            return new BlipImageProcessor(height, width, c.getDouble("rescale_factor", 1 / 255.0), floats(mean), floats(std));
        } catch (IllegalArgumentException e) {
            throw c.invalid(e.getMessage());
        }
    }

    private static float[] floats(List<Double> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).floatValue();
        }
        return out;
    }

    /** The resized 8-bit image, packed 0xRRGGBB row-major (what Pillow's resize returns). */
    int[] resize(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] &= 0xffffff;
        }
        return PillowBicubic.resize(rgb, w, h, width, height);
    }

    /**
     * (3, height, width) pixel values of an RGB image. The arithmetic is numpy's: the rescale in
     * float64 then stored as float32, the normalisation in float32.
     */
    public float[] preprocess(BufferedImage image) {
        int[] rgb = resize(image);
        int plane = width * height;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                float scaled = (float) (((rgb[i] >> (16 - 8 * c)) & 0xff) * rescaleFactor);
                out[c * plane + i] = (scaled - mean[c]) / std[c];
            }
        }
        return out;
    }

    /** A (B, 3, height, width) float32 batch of preprocessed images. */
    public NDArray batch(NDManager manager, List<float[]> images) {
        int plane = 3 * width * height;
        float[] all = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * plane, plane);
        }
        return manager.create(all, new Shape(images.size(), 3, height, width));
    }
}
