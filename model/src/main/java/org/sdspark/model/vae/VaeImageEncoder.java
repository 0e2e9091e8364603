package org.sdspark.model.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Training images to the latent distributions a latent cache stores: batches of same-size
 * [-1, 1] CHW images, and optionally their mirror images, through {@link AutoencoderKL#encode}.
 * Thread-safe: the model is only read, and each call works in its own scope.
 */
public final class VaeImageEncoder implements AutoCloseable {
    private final NDManager manager;
    private final AutoencoderKL vae;
    private final VaeIdentity identity;

    private VaeImageEncoder(NDManager manager, AutoencoderKL vae, VaeIdentity identity) {
        this.manager = manager;
        this.vae = vae;
        this.identity = identity;
    }

    /**
     * Loads the VAE of {@code folder} (a diffusers pipeline folder, whose {@code vae/} is used, or
     * a VAE folder itself) onto {@code device} in {@code type}. The identity is taken from the
     * weights as stored, before any cast, so float16 and float32 runs of one VAE share it.
     */
    public static VaeImageEncoder load(Path folder, Device device, DataType type) throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            return of(manager, AutoencoderKL.load(manager, vaeFolder(folder)), type);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A freshly initialised VAE of {@code config} (benchmarks). */
    static VaeImageEncoder random(VaeConfig config, Device device, DataType type) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            return of(manager, AutoencoderKL.random(manager, config), type);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static VaeImageEncoder of(NDManager manager, AutoencoderKL vae, DataType type) {
        VaeIdentity identity = VaeIdentity.of(vae);
        if (type != vae.dataType()) {
            try (AutoencoderKL wide = vae) {
                vae = wide.toType(type);
            }
        }
        return new VaeImageEncoder(manager, vae, identity);
    }

    /** {@code folder/vae} when {@code folder} is a pipeline folder, else {@code folder}. */
    public static Path vaeFolder(Path folder) {
        Path inside = folder.resolve("vae");
        return Files.isRegularFile(inside.resolve("config.json")) ? inside : folder;
    }

    public VaeIdentity identity() {
        return identity;
    }

    public DataType dataType() {
        return vae.dataType();
    }

    /**
     * The latents of {@code images} (each 3 x height x width), in order. With {@code mirrored},
     * the images flipped left to right are encoded in the same call and their latents follow:
     * the result holds the n images' latents, then their mirror images'.
     */
    public List<LatentMoments> encode(List<float[]> images, int height, int width, boolean mirrored) {
        if (images.isEmpty()) {
            return List.of();
        }
        int plane = 3 * height * width;
        float[] flat = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            float[] image = images.get(i);
            if (image.length != plane) {
                throw new IllegalArgumentException("image " + i + " has " + image.length + " values, not 3x" + height + "x" + width);
            }
            System.arraycopy(image, 0, flat, i * plane, plane);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray batch = scope.create(flat, new Shape(images.size(), 3, height, width));
            if (mirrored) {
                batch = batch.concat(batch.flip(3), 0);
            }
            LatentDistribution latents = vae.encode(batch);
            Shape shape = latents.mean().getShape();
            int channels = (int) shape.get(1);
            int h = (int) shape.get(2);
            int w = (int) shape.get(3);
            float[] mean = latents.mean().toType(DataType.FLOAT32, false).toFloatArray();
            float[] logvar = latents.logvar().toType(DataType.FLOAT32, false).toFloatArray();
            int size = channels * h * w;
            List<LatentMoments> out = new ArrayList<>((int) shape.get(0));
            for (int i = 0; i < shape.get(0); i++) {
                out.add(new LatentMoments(slice(mean, i, size), slice(logvar, i, size), channels, h, w));
            }
            return out;
        }
    }

    private static float[] slice(float[] values, int index, int size) {
        float[] out = new float[size];
        System.arraycopy(values, index * size, out, 0, size);
        return out;
    }

    @Override
    public void close() {
        vae.close();
        manager.close();
    }
}
