package org.sdspark.jobs.demo;

import ai.djl.ndarray.NDManager;
import com.typesafe.config.Config;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.jobs.config.S3Settings;
import org.sdspark.jobs.config.SparkSettings;
import org.sdspark.jobs.prep.PrepJob;
import org.sdspark.jobs.train.TrainCommand;
import org.sdspark.model.pipeline.GenerationSettings;
import org.sdspark.model.pipeline.ImageGrid;
import org.sdspark.model.pipeline.RgbImage;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.pipeline.StepListener;
import org.sdspark.model.pipeline.TextToImage;
import org.sdspark.model.train.Collective;
import org.sdspark.model.train.ModelSetup;
import org.sdspark.model.train.TrainingBatch;
import org.sdspark.model.train.TrainingRun;
import org.sdspark.model.train.TrainingSettings;
import org.sdspark.model.train.optim.LearningRateSchedule;
import org.sdspark.prep.synthetic.SyntheticDataset;

/**
 * `sdspark demo train`: the whole training path on a laptop, with proof that the model learned.
 * Makes a small Stable Diffusion pipeline ({@link DemoModel}: random UNet and text encoder, a VAE
 * that keeps colours), draws red circles and blue squares with captions, prepares them with
 * `sdspark prep`, trains the UNet from scratch with `sdspark train`, then measures: the denoising
 * loss on held-out images (same noise and timesteps) before and after, and the colour of images
 * sampled for "a red circle" and "a blue square".
 */
public final class TrainDemoCommand implements Command {
    private static final String MARKER = ".sdspark-train-demo";
    private static final long SEED = 20241130L;
    private static final int HELD_OUT = 32;
    private static final int SAMPLES = 8;
    private static final double LOSS_RATIO_GOAL = 0.6;
    private static final double COLOUR_GAP_GOAL = 0.05;

    @Override
    public String name() {
        return "demo train";
    }

    @Override
    public String summary() {
        return "train a tiny model from scratch on coloured shapes and show that it learned (CPU, minutes)";
    }

    @Override
    public String help() {
        return """
                usage: sdspark demo train [--dir DIR] [--steps N] [--images N] [--batch B]

                Makes a small Stable Diffusion pipeline (random UNet and CLIP text encoder of the real
                architectures, a hand-set VAE that keeps colours; 64 px images), draws red circles and
                blue squares with captions, prepares them with `sdspark prep` and trains the UNet from
                scratch with `sdspark train` (the same code as any run: checkpoints, metrics, validation
                grids under DIR/run). Then it prints the denoising loss on held-out images before and
                after training, and the mean colour of images sampled for "a red circle" and "a blue
                square" (DIR/samples.png). Exits non-zero unless the held-out loss fell below 60%% of
                its start and the red circles came out redder than the blue squares by a clear margin.

                options:
                  --dir DIR     working directory (default: $TMPDIR/sdspark-train-demo); a previous
                                demo directory there is replaced
                  --steps N     optimizer steps (default 500: about 5 minutes on 2 CPU cores)
                  --images N    training images (default 256)
                  --batch B     images per step (default 8)
                """.replace("%%", "%");
    }

    @Override
    public int run(List<String> args) throws Exception {
        Options options = Options.parse(args, Set.of("--dir", "--steps", "--images", "--batch"));
        Path dir = options.value("--dir").map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "sdspark-train-demo")).toAbsolutePath();
        int steps = options.intValue("--steps", 500, 1);
        int images = options.intValue("--images", 256, 2);
        int batch = options.intValue("--batch", 8, 1);
        DemoDirectory.prepare(dir, MARKER, "sdspark demo train");
        long start = System.nanoTime();

        Path model = dir.resolve("model");
        DemoModel.write(model, SEED);
        SyntheticDataset.writeShapes(dir.resolve("images"), SEED, images, DemoModel.IMAGE_SIDE);
        SyntheticDataset.writeShapes(dir.resolve("held-out"), SEED + 1, HELD_OUT, DemoModel.IMAGE_SIDE);
        System.out.println("demo: a " + DemoModel.IMAGE_SIDE + " px pipeline in " + model + ", " + images
                + " training and " + HELD_OUT + " held-out images of " + SyntheticDataset.SHAPE_CAPTIONS);

        Config prep = ConfigLoader.load(Optional.empty(), List.of(
                "sdspark.prep.inputs=[{path=" + Hocon.quote(dir.resolve("images")) + "}]",
                "sdspark.prep.output=" + Hocon.quote(dir.resolve("prepared")),
                "sdspark.prep.filter.min-side=" + DemoModel.IMAGE_SIDE,
                "sdspark.prep.filter.min-bytes-per-pixel=0",
                "sdspark.prep.filter.near-duplicate-distance=0",
                "sdspark.prep.bucket.resolution=" + DemoModel.IMAGE_SIDE,
                "sdspark.prep.bucket.min-side=" + DemoModel.IMAGE_SIDE,
                "sdspark.prep.bucket.max-side=" + DemoModel.IMAGE_SIDE));
        SparkSession spark = SparkSessions.create("sdspark demo train", SparkSettings.from(prep), S3Settings.from(prep));
        PrepJob.create(spark, prep, System.out).run();

        Path run = dir.resolve("run");
        Path conf = Files.writeString(dir.resolve("train.conf"), trainConfig(model, dir.resolve("prepared"), run, steps, batch));
        System.out.println("demo: training " + steps + " steps (" + conf + ")");
        long training = System.nanoTime();
        if (new TrainCommand().run(List.of("--config", conf.toString())) != 0) {
            return 1;
        }
        double trainingMinutes = (System.nanoTime() - training) / 60e9;

        List<TrainingBatch> heldOut = HeldOutImages.batches(dir.resolve("held-out"), batch);
        double before = heldOutLoss(model, heldOut);
        double after = heldOutLoss(run.resolve("model"), heldOut);
        List<PromptColour> colours = sample(run.resolve("model"), dir.resolve("samples.png"));

        System.out.printf(Locale.ROOT, "demo: held-out denoising loss %.4f before training, %.4f after (%.0f%% of the start)%n",
                before, after, 100 * after / before);
        for (PromptColour c : colours) {
            System.out.printf(Locale.ROOT, "demo: \"%s\": mean RGB of %d samples (%.3f, %.3f, %.3f), red - blue %+.3f%n",
                    c.prompt(), SAMPLES, c.rgb()[0], c.rgb()[1], c.rgb()[2], c.redness());
        }
        double gap = colours.get(0).redness() - colours.get(1).redness();
        boolean learned = after < LOSS_RATIO_GOAL * before;
        boolean coloured = colours.get(0).redness() > 0 && colours.get(1).redness() < 0 && gap > COLOUR_GAP_GOAL;
        System.out.printf(Locale.ROOT, "demo: red - blue differs by %.3f between the prompts; samples in %s%n", gap,
                dir.resolve("samples.png"));
        System.out.printf(Locale.ROOT, "demo: training %.1f min, all %.1f min%n", trainingMinutes, (System.nanoTime() - start) / 60e9);
        System.out.println(learned && coloured ? "demo train: OK" : "demo train: FAILED (" + (learned ? "" : "the held-out loss did not fall"
                + " below " + (int) (100 * LOSS_RATIO_GOAL) + "% of its start; ") + (coloured ? "" : "the samples' colours do not follow"
                + " the prompts") + ")");
        return learned && coloured ? 0 : 1;
    }

    private static String trainConfig(Path model, Path dataset, Path run, int steps, int batch) {
        return """
                # Written by `sdspark demo train`; run it again with: bin/sdspark train --config <this file>
                sdspark.train {
                  method = full
                  model = %s
                  dataset = %s
                  output = %s
                  steps = %d
                  batch-size = %d
                  learning-rate = 1e-3
                  lr-scheduler = cosine
                  lr-warmup-steps = %d
                  max-grad-norm = 1.0
                  seed = 1
                  flip-probability = 0.5
                  caption-dropout = 0.1
                  checkpoint-every = %d
                  export.single-file = false
                  validation {
                    prompts = ["a red circle", "a blue square"]
                    images-per-prompt = 2
                    every = %d
                    steps = 20
                    guidance = 3.0
                  }
                }
                """.formatted(Hocon.quote(model), Hocon.quote(dataset), Hocon.quote(run), steps, batch, Math.max(1, steps / 20),
                Math.max(1, steps / 4), Math.max(1, steps / 4));
    }

    /** The mean denoising loss of the held-out batches under a model (the same noise and timesteps every time). */
    private static double heldOutLoss(Path model, List<TrainingBatch> heldOut) throws IOException {
        TrainingSettings settings = TrainingSettings.builder(List.of("unet.*"),
                LearningRateSchedule.of(LearningRateSchedule.Kind.CONSTANT, 0, 0, 1)).build();
        try (NDManager manager = NDManager.newBaseManager();
             TrainingRun run = TrainingRun.open(manager, model, settings, ModelSetup.NONE, Collective.single())) {
            return run.evaluate(heldOut, SEED);
        }
    }

    /** A prompt's samples: their mean colour in [0, 1] and how much redder than blue they are. */
    record PromptColour(String prompt, double[] rgb) {
        double redness() {
            return rgb[0] - rgb[2];
        }
    }

    private static List<PromptColour> sample(Path model, Path grid) throws IOException {
        List<PromptColour> colours = new ArrayList<>();
        List<BufferedImage> tiles = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(); StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(manager, model)) {
            TextToImage t2i = new TextToImage(pipeline);
            for (String prompt : SyntheticDataset.SHAPE_CAPTIONS) {
                GenerationSettings settings = new GenerationSettings(prompt, "", 25, 3.0, "ddim", SEED, DemoModel.IMAGE_SIDE,
                        DemoModel.IMAGE_SIDE, SAMPLES, 1, false);
                double[] sum = new double[3];
                for (RgbImage image : t2i.generate(manager, settings, StepListener.NONE)) {
                    float[] p = image.pixels();
                    for (int i = 0; i < p.length; i++) {
                        sum[i % 3] += p[i];
                    }
                    tiles.add(image.toBufferedImage());
                }
                int perChannel = SAMPLES * DemoModel.IMAGE_SIDE * DemoModel.IMAGE_SIDE;
                colours.add(new PromptColour(prompt, new double[] {sum[0] / perChannel, sum[1] / perChannel, sum[2] / perChannel}));
            }
        }
        ImageIO.write(ImageGrid.of(tiles, SAMPLES), "png", grid.toFile());
        return colours;
    }
}
