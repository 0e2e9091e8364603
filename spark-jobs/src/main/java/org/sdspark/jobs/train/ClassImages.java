package org.sdspark.jobs.train;

import ai.djl.ndarray.NDManager;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.jobs.prep.PrepJob;
import org.sdspark.jobs.prep.PrepReport;
import org.sdspark.jobs.train.config.DreamBoothSettings;
import org.sdspark.model.pipeline.GenerationSettings;
import org.sdspark.model.pipeline.RgbImage;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.pipeline.StepListener;
import org.sdspark.model.pipeline.TextToImage;

/**
 * Prior preservation's class images, made once before training as diffusers' train_dreambooth.py
 * makes them: when the class folder holds fewer than {@code num-class-images} images, the missing
 * ones are sampled from the model with the class prompt ({@code class-<i>.png}, image i with seed
 * {@code seed + i}, so an interrupted generation continues where it stopped). The folder is then
 * prepared as a dataset of its own at the instances' square size ({@code <output>/class-dataset},
 * every image captioned with the class prompt), again only when the folder changed.
 */
final class ClassImages {
    private static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "webp", "bmp", "gif");

    private ClassImages() {
    }

    static void ensure(SparkSession spark, TrainConfig config, int side, Supplier<StableDiffusionPipeline> model,
                       Configuration conf, Consumer<String> log) throws IOException {
        DreamBoothSettings db = config.dreambooth().orElseThrow();
        Path folder = new Path(db.classData());
        FileSystem fs = folder.getFileSystem(conf);
        fs.mkdirs(folder);
        Set<String> names = imageNames(fs, folder);
        int missing = db.numClassImages() - names.size();
        if (missing > 0) {
            log.accept(folder + " holds " + names.size() + " class images; generating " + missing + " with \"" + db.classPrompt()
                    + "\" at " + side + "x" + side);
            generate(model.get(), db, side, missing, names, fs, folder, log);
        }
        int images = imageNames(fs, folder).size();
        Path dataset = new Path(config.classDataset());
        if (preparedFrom(fs, dataset) == images) {
            log.accept("class images: " + images + " in " + folder + ", prepared in " + dataset);
            return;
        }
        PrepReport report = PrepJob.create(spark, prepConfig(folder, dataset, db.classPrompt(), side), System.out).run();
        log.accept("class images: prepared " + report.accepted() + " of " + report.inputs() + " in " + dataset);
    }

    private static void generate(StableDiffusionPipeline pipeline, DreamBoothSettings db, int side, int missing, Set<String> names,
                                 FileSystem fs, Path folder, Consumer<String> log) throws IOException {
        TextToImage t2i = new TextToImage(pipeline);
        DreamBoothSettings.ClassGeneration g = db.generation();
        long start = System.nanoTime();
        int made = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; made < missing; i++) {
                String name = String.format(Locale.ROOT, "class-%05d.png", i);
                if (names.contains(name)) {
                    continue;
                }
                GenerationSettings settings = new GenerationSettings(db.classPrompt(), "", g.steps(), g.guidance(), g.scheduler(),
                        g.seed() + i, side, side, 1, 1, false);
                RgbImage image = t2i.generate(manager, settings, StepListener.NONE).get(0);
                Path staging = new Path(folder, "." + name + ".partial");
                try (OutputStream out = fs.create(staging, true)) {
                    ImageIO.write(image.toBufferedImage(), "png", out);
                }
                fs.rename(staging, new Path(folder, name));
                made++;
                double seconds = (System.nanoTime() - start) / 1e9;
                log.accept(String.format(Locale.ROOT, "class image %d/%d  %.2f s/image  ETA %.0f s", made, missing,
                        seconds / made, seconds / made * (missing - made)));
            }
        }
    }

    private static Set<String> imageNames(FileSystem fs, Path folder) throws IOException {
        Set<String> names = new HashSet<>();
        for (FileStatus s : fs.listStatus(folder)) {
            String name = s.getPath().getName();
            int dot = name.lastIndexOf('.');
            if (s.isFile() && !name.startsWith(".") && dot > 0
                    && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    /** How many images the committed class dataset was prepared from; -1 when there is none. */
    private static long preparedFrom(FileSystem fs, Path dataset) throws IOException {
        Path report = new Path(dataset, "report.json");
        if (!fs.exists(new Path(dataset, "_SUCCESS")) || !fs.exists(report)) {
            return -1;
        }
        try (InputStream in = fs.open(report)) {
            return PrepReport.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8)).inputs();
        }
    }

    // Every image a DreamBooth image of the class prompt, cut to the instances' square: a micro-batch
    // stacks instance and class images, so they must be of one size.
    private static Config prepConfig(Path folder, Path dataset, String classPrompt, int side) {
        return ConfigLoader.load(Optional.empty(), Arrays.asList(
                "sdspark.prep.inputs=[{path=" + Hocon.quote(folder.toString()) + ", format=dreambooth, instance-prompt="
                        + Hocon.quote(classPrompt) + "}]",
                "sdspark.prep.output=" + Hocon.quote(dataset.toString()),
                "sdspark.prep.overwrite=true",
                "sdspark.prep.filter.min-side=" + Math.min(side, 256),
                "sdspark.prep.filter.min-bytes-per-pixel=0",
                "sdspark.prep.filter.near-duplicate-distance=0",
                "sdspark.prep.bucket.enabled=false",
                "sdspark.prep.bucket.resolution=" + side));
    }
}
