package org.sdspark.model.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Writes a run's images ({@code <index>-seed<seed>.png}), {@code grid.png} and {@code generation.json}. */
public final class GenerationOutput {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GenerationOutput() {
    }

    public static String imageName(GenerationSettings settings, int index) {
        return String.format("%03d-seed%d.png", index, settings.seedOf(index));
    }

    /** Writes everything and returns the image files, in order. */
    public static List<Path> write(Path dir, String model, GenerationSettings settings, List<RgbImage> images)
            throws IOException {
        return write(dir, model, Adapters.NONE, settings, images);
    }

    /** As {@link #write(Path, String, GenerationSettings, List)} for a model with adapters, which generation.json lists. */
    public static List<Path> write(Path dir, String model, Adapters adapters, GenerationSettings settings, List<RgbImage> images)
            throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        List<BufferedImage> tiles = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i).toBufferedImage();
            Path file = dir.resolve(imageName(settings, i));
            png(img, file);
            files.add(file);
            tiles.add(img);
        }
        png(ImageGrid.of(tiles), dir.resolve("grid.png"));
        JSON.writeValue(dir.resolve("generation.json").toFile(), describe(model, adapters, settings, files));
        return files;
    }

    private static ObjectNode describe(String model, Adapters adapters, GenerationSettings s, List<Path> files) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        var loras = root.putArray("loras");
        adapters.loras().forEach(l -> loras.addObject().put("file", l.file()).put("scale", l.scale()));
        var embeddings = root.putArray("embeddings");
        adapters.embeddings().forEach(e -> embeddings.addObject().put("file", e.file()).set("tokens", JSON.valueToTree(e.tokens())));
        root.put("prompt", s.prompt());
        root.put("negative_prompt", s.negativePrompt());
        root.put("steps", s.steps());
        root.put("guidance", s.guidance());
        root.put("scheduler", s.scheduler());
        root.put("eta", s.eta());
        root.put("seed", s.seed());
        root.put("width", s.width());
        root.put("height", s.height());
        root.put("num_images", s.numImages());
        root.put("clip_skip", s.clipSkip());
        root.put("fp16", s.fp16());
        if (!s.micro().equals(MicroConditioning.DEFAULT)) {
            float[] ids = s.micro().timeIds(s.width(), s.height());
            root.putArray("original_size").add((int) ids[1]).add((int) ids[0]);
            root.putArray("crop_top_left").add(s.micro().cropLeft()).add(s.micro().cropTop());
            root.putArray("target_size").add((int) ids[5]).add((int) ids[4]);
        }
        var list = root.putArray("images");
        for (int i = 0; i < files.size(); i++) {
            list.addObject().put("file", files.get(i).getFileName().toString()).put("seed", s.seedOf(i));
        }
        root.put("grid", "grid.png");
        return root;
    }

    // ImageIO writes the same bytes for the same pixels, which the seed reproducibility promise relies on.
    private static void png(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }
}
