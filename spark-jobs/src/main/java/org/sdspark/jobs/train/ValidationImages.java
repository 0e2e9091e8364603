package org.sdspark.jobs.train;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdspark.jobs.train.config.ValidationSettings;
import org.sdspark.model.pipeline.ImageGrid;
import org.sdspark.model.pipeline.PipelineConfigs;
import org.sdspark.model.pipeline.RgbImage;
import org.sdspark.model.pipeline.StepListener;
import org.sdspark.model.pipeline.TextToImage;
import org.sdspark.model.train.Autograd;
import org.sdspark.model.train.ProgressListener;
import org.sdspark.model.train.StepReport;
import org.sdspark.model.train.TrainableModels;

/**
 * Rank 0's validation images: when due, every prompt sampled with the models being trained
 * (adapters and added tokens included; no gradients recorded), one grid PNG per step in
 * {@code <output>/validation/step-<n>.png} (a row of images per prompt) and the same grid in
 * TensorBoard under "validation".
 */
final class ValidationImages implements ProgressListener {
    private static final int DEFAULT_SIDE = 512;

    private final TrainableModels models;
    private final NDManager manager;
    private final ValidationSettings settings;
    private final long totalSteps;
    private final Path folder;
    private final Configuration conf;
    private final LeaderMetrics metrics;
    private final Consumer<String> log;

    ValidationImages(TrainableModels models, NDManager manager, ValidationSettings settings, long totalSteps, String output,
                     Configuration conf, LeaderMetrics metrics, Consumer<String> log) {
        this.models = models;
        this.manager = manager;
        this.settings = settings;
        this.totalSteps = totalSteps;
        this.folder = new Path(output, "validation");
        this.conf = conf;
        this.metrics = metrics;
        this.log = log;
    }

    @Override
    public void onStep(StepReport report) {
        long taken = report.step() + 1;
        if (!settings.due(taken, totalSteps)) {
            return;
        }
        long start = System.nanoTime();
        BufferedImage grid = ImageGrid.of(Autograd.paused(this::sample), settings.imagesPerPrompt());
        Path file = new Path(folder, "step-" + taken + ".png");
        try (OutputStream out = file.getFileSystem(conf).create(file, true)) {
            ImageIO.write(grid, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the validation grid " + file, e);
        }
        metrics.image(report.step(), "validation", grid);
        log.accept(String.format("validation images of step %d in %s (%.1f s)", taken, file, (System.nanoTime() - start) / 1e9));
    }

    private List<BufferedImage> sample() {
        TextToImage t2i = models.textToImage();
        PipelineConfigs configs = models.pipeline().configs();
        int factor = 1 << (configs.vae().blockOutChannels().size() - 1);
        Integer sampleSize = configs.unet().sampleSize();
        int side = sampleSize == null ? DEFAULT_SIDE : sampleSize * factor;
        List<BufferedImage> images = new ArrayList<>();
        for (String prompt : settings.prompts()) {
            for (int j = 0; j < settings.imagesPerPrompt(); j++) {
                for (RgbImage image : t2i.generate(manager, settings.generation(prompt, j, side, side), StepListener.NONE)) {
                    images.add(image.toBufferedImage());
                }
            }
        }
        return images;
    }
}
