package org.sdspark.prep;

import com.typesafe.config.Config;
import java.io.Serializable;
import org.sdspark.prep.tensor.ResampleFilter;

/**
 * A latent caching run, read once from {@code sdspark.latents} and validated: which prepared
 * dataset, which VAE, the pixels training would see (resize filter, mirror images for random
 * flip), and how the VAE runs and the latents are stored.
 *
 * @param model a diffusers pipeline folder (its {@code vae/} is used) or a VAE folder
 * @param flip also cache each image's mirror image, for training with random flip
 * @param resample the resize filter training uses for these images
 * @param dtype the VAE's precision: {@code auto} (float16 on a GPU, float32 on the CPU), {@code float16} or {@code float32}
 * @param storage how latents are stored: {@code auto} (as computed), {@code float16} or {@code float32}
 * @param partitions Spark partitions of the encoding pass; 0 keeps the input's
 */
public record LatentSettings(String input, String output, boolean overwrite, String model, boolean flip,
                             ResampleFilter resample, int batchSize, String dtype, String storage, int partitions)
        implements Serializable {

    public static final String PATH = "sdspark.latents";
    private static final String[] TYPES = {"auto", "float16", "float32"};

    public static LatentSettings from(Config c) {
        Block b = new Block(c, "").child(PATH);
        ResampleFilter resample = b.parsed("resample", ResampleFilter::of);
        return new LatentSettings(b.requiredString("input"), b.requiredString("output"), b.getBoolean("overwrite"),
                b.requiredString("model"), b.getBoolean("flip"), resample, b.positive("batch-size"), b.oneOf("dtype", TYPES),
                b.oneOf("storage", TYPES), b.atLeast("partitions", 0));
    }
}
