package org.sdspark.jobs.train;

import com.typesafe.config.Config;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.jobs.prep.PrepJob;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.prep.synthetic.Encoders;

/** The tiny pipeline, a tiny dataset prepared by the real prep job (64 px bucket), and run configurations. */
final class TrainingFixtures {
    static final Path TINY = Path.of("..", "model", "src", "test", "resources", "fixtures", "tiny-sd").toAbsolutePath().normalize();

    private TrainingFixtures() {
    }

    private static Path dataset;
    private static Path dreambooth;

    /** Eight small photos with captions, prepared once per JVM (a temporary folder removed at exit). */
    static synchronized Path dataset() throws IOException {
        if (dataset == null) {
            dataset = prepare(temporary(), 8, null);
        }
        return dataset;
    }

    /** The same photos as a DreamBooth input, every one captioned "a photo of <sks> shape". */
    static synchronized Path dreamboothDataset() throws IOException {
        if (dreambooth == null) {
            dreambooth = prepare(temporary(), 8, "a photo of <sks> shape");
        }
        return dreambooth;
    }

    private static Path temporary() throws IOException {
        Path dir = Files.createTempDirectory("sdspark-train-data");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        return dir;
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }

    private static Path prepare(Path dir, int count, String instancePrompt) throws IOException {
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        Random random = new Random(11);
        for (int i = 0; i < count; i++) {
            BufferedImage image = new BufferedImage(64 + 16 * (i % 2), 64, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setColor(new Color(random.nextInt(0xffffff)));
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            for (int k = 0; k < 6; k++) {
                g.setColor(new Color(random.nextInt(0xffffff)));
                g.fillOval(random.nextInt(48), random.nextInt(48), 8 + random.nextInt(24), 8 + random.nextInt(24));
            }
            g.dispose();
            String stem = String.format("img_%02d", i);
            Files.write(images.resolve(stem + ".jpg"), Encoders.jpeg(image, 0.95f));
            if (instancePrompt == null) {
                Files.writeString(images.resolve(stem + ".txt"), (i % 2 == 0 ? "a red circle" : "a blue square") + " number " + i);
            }
        }
        Path prepared = dir.resolve("prepared");
        Config config = ConfigLoader.load(Optional.empty(), List.of(
                "sdspark.prep.inputs=[{path=" + Hocon.quote(images) + (instancePrompt == null ? ""
                        : ", format=dreambooth, instance-prompt=" + Hocon.quote(instancePrompt)) + "}]",
                "sdspark.prep.output=" + Hocon.quote(prepared),
                "sdspark.prep.partitions=2",
                "sdspark.prep.filter.min-side=32",
                "sdspark.prep.filter.min-bytes-per-pixel=0",
                "sdspark.prep.filter.near-duplicate-distance=0",
                "sdspark.prep.bucket.resolution=64",
                "sdspark.prep.bucket.min-side=64",
                "sdspark.prep.bucket.max-side=64"));
        PrepJob.create(SharedSpark.get(), config, System.out).run();
        return prepared;
    }

    /**
     * {@code --set} arguments of a short fp32 full fine-tune of the tiny UNet. Adam's epsilon is
     * 1e-4, not 1e-8: Adam steps g / (sqrt(v) + eps), so with 1e-8 a weight whose gradient is at
     * the level of float rounding (the tiny random UNet has such weights) steps by up to the
     * learning rate in a direction rounding picks, and two correct runs that sum in another order
     * (N workers against one, other thread counts) part by ~lr there. With 1e-4 such a weight's
     * step stays proportional to its gradient, while the others still move by about lr a step.
     */
    static List<String> run(Path dataset, Path output, int workers, int batch, int steps, int checkpointEvery) {
        return new ArrayList<>(List.of(
                "sdspark.train.model=" + Hocon.quote(TINY),
                "sdspark.train.dataset=" + Hocon.quote(dataset),
                "sdspark.train.output=" + Hocon.quote(output),
                "sdspark.train.steps=" + steps,
                "sdspark.train.batch-size=" + batch,
                "sdspark.train.learning-rate=1e-4",
                "sdspark.train.optimizer.epsilon=1e-4",
                "sdspark.train.trained=[\"unet.*\"]",
                "sdspark.train.seed=5",
                "sdspark.train.flip-probability=0.5",
                "sdspark.train.caption-dropout=0.2",
                "sdspark.train.checkpoint-every=" + checkpointEvery,
                "sdspark.train.loader.threads=1",
                "sdspark.train.distributed.workers=" + workers,
                "sdspark.train.distributed.timeout=30s",
                "sdspark.train.distributed.checksum-every=1"));
    }

    /** The fp32 master weights by key of checkpoint {@code step} in {@code output}. */
    static Map<String, float[]> weights(Path output, long step) throws IOException {
        Map<String, float[]> weights = new TreeMap<>();
        try (SafeTensorsFile file = SafeTensorsFile.open(output.resolve("checkpoints").resolve("checkpoint-" + step)
                .resolve("trained.safetensors"))) {
            for (String key : file.tensors().keySet()) {
                FloatBuffer data = file.data(key).asFloatBuffer();
                float[] values = new float[data.remaining()];
                data.get(values);
                weights.put(key, values);
            }
        }
        return weights;
    }

    /** The tiny UNet's own weights under the keys of {@code trained} ({@code unet.<checkpoint key>}). */
    static Map<String, float[]> initialUnet(Set<String> trained) throws IOException {
        Map<String, float[]> weights = new TreeMap<>();
        try (SafeTensorsFile file = SafeTensorsFile.open(TINY.resolve("unet").resolve("diffusion_pytorch_model.safetensors"))) {
            for (String key : trained) {
                FloatBuffer data = file.data(key.substring("unet.".length())).asFloatBuffer();
                float[] values = new float[data.remaining()];
                data.get(values);
                weights.put(key, values);
            }
        }
        return weights;
    }

    /** The largest absolute difference between two sets of weights with the same keys. */
    static double maxDifference(Map<String, float[]> a, Map<String, float[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            throw new AssertionError("different keys: " + a.keySet() + " vs " + b.keySet());
        }
        double max = 0;
        for (String key : a.keySet()) {
            float[] x = a.get(key);
            float[] y = b.get(key);
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }

    /**
     * The loss of every step in the CSV files of a run's metrics (steps counted from 1), the newest
     * attempt's value where attempts overlap.
     */
    static Map<Long, Double> losses(Path output) throws IOException {
        Map<Long, Double> losses = new TreeMap<>();
        List<Path> files;
        try (var list = Files.list(output.resolve("metrics"))) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted(java.util.Comparator.comparing(
                    p -> Long.parseLong(p.getFileName().toString().split("[-.]")[3]))).toList();
        }
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split(",");
                if (f.length == 4 && f[2].equals("loss") && !f[0].equals("step")) {
                    losses.put(Long.parseLong(f[0]), Double.parseDouble(f[3]));
                }
            }
        }
        return losses;
    }

    /** The losses in the CSV of the attempt that started at step {@code from} (a resumed run's own). */
    static Map<Long, Double> lossesFrom(Path output, long from) throws IOException {
        Map<Long, Double> losses = new TreeMap<>();
        try (var list = Files.list(output.resolve("metrics"))) {
            for (Path file : list.filter(p -> p.getFileName().toString().startsWith(LeaderMetrics.CSV_PREFIX + from + ".")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    String[] f = line.split(",");
                    if (f.length == 4 && f[2].equals("loss") && !f[0].equals("step")) {
                        losses.put(Long.parseLong(f[0]), Double.parseDouble(f[3]));
                    }
                }
            }
        }
        return losses;
    }

    /** `sdspark train` with these settings in this JVM (Spark local mode); what it printed to stderr. */
    static String train(List<String> sets) throws Exception {
        List<String> args = new ArrayList<>();
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                err.write(b);
                captured.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                err.write(b, off, len);
                captured.write(b, off, len);
            }
        }, true));
        try {
            int code = new TrainCommand().run(args);
            if (code != 0) {
                throw new AssertionError("sdspark train exited with " + code);
            }
        } finally {
            System.setErr(err);
        }
        return captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
