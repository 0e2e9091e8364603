package org.sdspark.jobs.demo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.sdspark.model.train.DataPosition;
import org.sdspark.model.train.TrainingBatch;

/**
 * The demo's held-out images (PNGs at the model's size, with sidecar captions) as the loop's
 * batches of pixels, for the held-out denoising loss: no resize, crop or flip, captions kept.
 */
final class HeldOutImages {
    private HeldOutImages() {
    }

    static List<TrainingBatch> batches(Path folder, int batchSize) throws IOException {
        List<Path> images;
        try (Stream<Path> files = Files.list(folder)) {
            images = files.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
        }
        List<TrainingBatch> batches = new ArrayList<>();
        for (int from = 0; from < images.size(); from += batchSize) {
            List<Path> chunk = images.subList(from, Math.min(images.size(), from + batchSize));
            BufferedImage first = ImageIO.read(chunk.get(0).toFile());
            int h = first.getHeight();
            int w = first.getWidth();
            float[] pixels = new float[chunk.size() * 3 * h * w];
            List<String> captions = new ArrayList<>();
            long[] indices = new long[chunk.size()];
            for (int i = 0; i < chunk.size(); i++) {
                BufferedImage image = ImageIO.read(chunk.get(i).toFile());
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int rgb = image.getRGB(x, y);
                        for (int c = 0; c < 3; c++) {
                            int value = (rgb >> (16 - 8 * c)) & 0xFF;
                            pixels[((i * 3 + c) * h + y) * w + x] = value / 127.5f - 1;
                        }
                    }
                }
                String name = chunk.get(i).getFileName().toString();
                captions.add(Files.readString(chunk.get(i).resolveSibling(name.replace(".png", ".txt"))).strip());
                indices[i] = from + i;
            }
            batches.add(new TrainingBatch(new DataPosition(0, batches.size()), 1,
                    new TrainingBatch.Images(TrainingBatch.ImageKind.PIXELS, pixels, chunk.size(), 3, h, w), captions,
                    new boolean[chunk.size()], indices));
        }
        return batches;
    }
}
