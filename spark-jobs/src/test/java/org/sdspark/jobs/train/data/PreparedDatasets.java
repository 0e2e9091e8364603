package org.sdspark.jobs.train.data;

import com.typesafe.config.Config;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.sdspark.jobs.SharedSpark;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.jobs.config.Hocon;
import org.sdspark.jobs.prep.PrepJob;
import org.sdspark.prep.synthetic.Encoders;

/** Small datasets made by the real prep job from generated JPEGs. */
final class PreparedDatasets {
    private PreparedDatasets() {}

    /** Writes {@code count} JPEGs of varied aspect with sidecar captions into {@code folder}. */
    static void images(Path folder, int count, long seed) throws IOException {
        Files.createDirectories(folder);
        Random random = new Random(seed);
        int[][] sizes = {{320, 320}, {400, 300}, {300, 400}, {480, 320}, {333, 287}};
        for (int i = 0; i < count; i++) {
            int[] size = sizes[i % sizes.length];
            BufferedImage image = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            for (int k = 0; k < 30; k++) {
                g.setColor(new Color(random.nextInt(0xffffff)));
                g.fillOval(random.nextInt(size[0]), random.nextInt(size[1]), 20 + random.nextInt(size[0] / 2),
                        20 + random.nextInt(size[1] / 2));
            }
            g.dispose();
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) image.setRGB(x, y, image.getRGB(x, y) ^ (random.nextInt(48) * 0x010101));
            }
            String stem = String.format("img_%03d", i);
            Files.write(folder.resolve(stem + ".jpg"), Encoders.jpeg(image, 0.9f));
            Files.writeString(folder.resolve(stem + ".txt"), "picture " + i + " of " + folder.getFileName());
        }
    }

    /** Runs `sdspark prep` on the kohya folders in {@code input} into {@code output}, buckets at 256 px. */
    static void prep(Path input, Path output) throws IOException {
        Config config = ConfigLoader.load(Optional.empty(), List.of(
                "sdspark.prep.inputs=[{path=" + Hocon.quote(input) + ", format=kohya}]",
                "sdspark.prep.output=" + Hocon.quote(output),
                "sdspark.prep.partitions=2",
                "sdspark.prep.filter.min-bytes-per-pixel=0",
                "sdspark.prep.filter.near-duplicate-distance=0",
                "sdspark.prep.bucket.resolution=256",
                "sdspark.prep.bucket.min-side=128",
                "sdspark.prep.bucket.max-side=512"));
        PrepJob.create(SharedSpark.get(), config, System.out).run();
    }
}
