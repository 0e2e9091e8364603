package org.sdspark.jobs.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.latents.CachedLatents;
import org.sdspark.jobs.latents.LatentCacheInfo;
import org.sdspark.jobs.train.config.DataSettings;
import org.sdspark.jobs.train.data.PreparedDataset;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.vae.VaeIdentity;
import org.sdspark.prep.bucket.Bucket;

/**
 * What the driver settles before any training task starts, so that a run that cannot work fails
 * at once with a clear message rather than in every task of every retried stage: the model exists;
 * the dataset is a committed prep output; textual inversion's captions use the placeholder;
 * prior preservation's class images exist (generated and prepared as needed); and whether the
 * loop reads cached latents (only latents of this run's VAE, resize filter and flipping). Returns
 * the latents choice the tasks follow.
 */
final class TrainingPreflight {
    private TrainingPreflight() {
    }

    static DataSettings.Latents check(SparkSession spark, TrainConfig config, Configuration conf, Consumer<String> log)
            throws IOException {
        Path model = Path.of(config.model());
        if (!Files.exists(model)) {
            throw new UsageError(TrainConfig.PATH + ".model: " + model + " does not exist (a diffusers folder or a"
                    + " .safetensors / .ckpt file, on a disk every executor has)");
        }
        PreparedDataset instances = readDataset(config, conf);
        config.textualInversion().ifPresent(ti -> requirePlaceholder(instances, ti.placeholderToken()));
        try (LazyPipeline pipeline = new LazyPipeline(model)) {
            if (config.priorPreservation()) {
                ClassImages.ensure(spark, config, squareSide(instances), pipeline::get, conf, log);
            }
            return latents(config, instances, pipeline, conf, log);
        }
    }

    private static PreparedDataset readDataset(TrainConfig config, Configuration conf) {
        try {
            return TrainingDatasets.instances(config, conf);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageError(TrainConfig.PATH + ".dataset: " + e.getMessage(), e);
        }
    }

    // The tokenizer lower-cases text before it matches added tokens.
    private static void requirePlaceholder(PreparedDataset instances, String token) {
        String lower = token.toLowerCase(Locale.ROOT);
        boolean used = instances.rows().stream().anyMatch(r -> r.caption() != null && r.caption().toLowerCase(Locale.ROOT).contains(lower));
        if (!used) {
            throw new UsageError(TrainConfig.PATH + ".textual-inversion.placeholder-token: no caption of " + instances.root()
                    + " contains '" + token + "', so its embedding would never be trained; write it into the captions"
                    + " (e.g. prep's instance-prompt \"a photo of " + token + "\")");
        }
    }

    /** DreamBooth trains instance and class images in one batch: all at one square size, as train_dreambooth.py. */
    private static int squareSide(PreparedDataset instances) {
        Set<String> sizes = instances.rows().stream().map(r -> size(r.crop().fit().bucket())).collect(Collectors.toCollection(TreeSet::new));
        Bucket first = instances.rows().get(0).crop().fit().bucket();
        if (sizes.size() != 1 || first.width() != first.height()) {
            throw new UsageError(TrainConfig.PATH + ".dreambooth.prior-preservation: the instance images of " + instances.root()
                    + " are in buckets " + sizes + "; prior preservation trains at one square size, as train_dreambooth.py"
                    + " does (prepare them with sdspark.prep.bucket.enabled = false)");
        }
        return first.width();
    }

    private static String size(Bucket b) {
        return b.width() + "x" + b.height();
    }

    private static DataSettings.Latents latents(TrainConfig config, PreparedDataset instances, LazyPipeline pipeline,
                                                Configuration conf, Consumer<String> log) throws IOException {
        DataSettings.Latents mode = config.data().latents();
        org.apache.hadoop.fs.Path info = new org.apache.hadoop.fs.Path(instances.root(), LatentCacheInfo.FILE);
        FileSystem fs = info.getFileSystem(conf);
        boolean cached = fs.exists(info);
        if (mode == DataSettings.Latents.PIXELS || mode == DataSettings.Latents.AUTO && (!cached || config.priorPreservation())) {
            return DataSettings.Latents.PIXELS;
        }
        if (!cached) {
            throw new UsageError(TrainConfig.PATH + ".latents = cached, but " + instances.root() + " has no cached latents"
                    + " (make them with sdspark cache-latents, or set latents = auto)");
        }
        if (config.priorPreservation()) {
            throw new UsageError(TrainConfig.PATH + ".latents = cached, but the class images of prior preservation have no"
                    + " cached latents; set latents = auto or pixels");
        }
        VaeIdentity vae = VaeIdentity.of(pipeline.get().vae());
        try {
            CachedLatents.open(instances, conf).require(vae, config.data().resample(), config.data().flipProbability() > 0);
        } catch (IllegalArgumentException e) {
            throw new UsageError(TrainConfig.PATH + ".latents: " + e.getMessage(), e);
        }
        log.accept("training on the cached latents of " + instances.root());
        return DataSettings.Latents.CACHED;
    }

    /** The base model, loaded on the driver only when a check needs it (its VAE, class images). */
    private static final class LazyPipeline implements AutoCloseable {
        private final Path model;
        private NDManager manager;
        private StableDiffusionPipeline pipeline;

        LazyPipeline(Path model) {
            this.model = model;
        }

        StableDiffusionPipeline get() {
            if (pipeline == null) {
                manager = NDManager.newBaseManager();
                try {
                    pipeline = StableDiffusionPipeline.load(manager, model);
                } catch (IOException e) {
                    throw new UsageError(TrainConfig.PATH + ".model: " + e.getMessage(), e);
                }
            }
            return pipeline;
        }

        @Override
        public void close() {
            if (pipeline != null) {
                pipeline.close();
            }
            if (manager != null) {
                manager.close();
            }
        }
    }
}
