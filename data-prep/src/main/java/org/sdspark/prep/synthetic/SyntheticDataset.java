package org.sdspark.prep.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.sdspark.prep.BucketSettings;
import org.sdspark.prep.bucket.AspectRatioBuckets;
import org.sdspark.prep.filter.Hamming;
import org.sdspark.prep.filter.PerceptualHash;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.source.CaptionSource;
import org.sdspark.prep.synthetic.SyntheticManifest.GoodImage;
import org.sdspark.prep.synthetic.SyntheticManifest.PlantedFile;

/**
 * Writes a small, fully known dataset: coloured shapes in several aspect ratios, formats and
 * folder layouts (metadata.jsonl, metadata.csv, sidecars, a kohya {@code 10_shapes} folder,
 * nested and unicode paths), plus files planted to trip every rejection reason. The returned
 * manifest says what preparation must make of each file.
 */
public final class SyntheticDataset {
    /** Good images are re-drawn until their hashes are this far apart, far beyond any near-duplicate setting. */
    private static final int MIN_HASH_DISTANCE = 12;
    private static final int[][] ASPECTS = {{1, 1}, {4, 3}, {3, 4}, {16, 9}, {9, 16}, {2, 3}, {3, 2}, {2, 1}, {1, 2}};
    private static final String[] FORMATS = {"jpeg", "png", "jpeg", "gif", "jpeg", "bmp", "jpeg", "png"};
    private static final String PLANTED_CAPTION = "a planted file that must be rejected";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSONL_FOLDER = "jsonl/";

    private enum Layout { DUPS, JSONL, CSV, SIDECAR, KOHYA, NESTED, UNICODE }

    private record Plan(int index, Layout layout, String format, int width, int height, String shape,
                        ShapePainter.Named fg, ShapePainter.Named bg) {
        String caption() {
            return "a " + fg.name() + " " + shape + " on a " + bg.name() + " background";
        }

        /** How many times the layouts have cycled before this image; alternates details within a layout. */
        int round() {
            return index / (Layout.values().length - 1);
        }
    }

    private SyntheticDataset() {}

    /** Writes {@code goodImages} (at least 1) good images and the planted files under {@code dir}. */
    public static SyntheticManifest write(Path dir, long seed, int goodImages) throws IOException {
        if (goodImages < 1) throw new IllegalArgumentException("goodImages must be >= 1");
        Files.createDirectories(dir);
        List<Plan> plans = IntStream.range(0, goodImages).mapToObj(i -> plan(i, seed)).toList();
        int[] attempts = drawDistinct(dir, plans, seed);

        AspectRatioBuckets buckets = AspectRatioBuckets.of(defaultBuckets());
        Map<String, String> jsonl = new LinkedHashMap<>();
        Map<String, String> csv = new LinkedHashMap<>();
        List<GoodImage> good = new ArrayList<>();
        for (Plan p : plans) good.add(caption(dir, p, jsonl, csv, buckets));

        List<PlantedFile> planted = new ArrayList<>();
        jsonl.put("gone.png", "a file that was deleted");
        planted.add(new PlantedFile(JSONL_FOLDER + "gone.png", Reason.MISSING_FILE, "metadata.jsonl row for a file that is not there"));
        writeJsonl(dir.resolve(JSONL_FOLDER + "metadata.jsonl"), jsonl);
        writeCsv(dir.resolve("csv/metadata.csv"), csv);
        plantDuplicates(dir, plans.get(0), paint(plans.get(0), seed, attempts[0]), planted);
        plantBadFiles(dir, new SplittableRandom(seed ^ 0x5EEDL), planted);
        return new SyntheticManifest(good, planted);
    }

    /** Writes the caption of {@code p} where its layout keeps captions and returns what preparation should find. */
    private static GoodImage caption(Path dir, Plan p, Map<String, String> jsonl, Map<String, String> csv,
                                     AspectRatioBuckets buckets) {
        String path = path(p);
        String caption = p.caption();
        CaptionSource source = CaptionSource.SIDECAR;
        switch (p.layout()) {
            case JSONL -> {
                jsonl.put(path.substring(JSONL_FOLDER.length()), caption);
                source = CaptionSource.METADATA_JSONL;
            }
            case CSV -> {
                caption = caption + ", \"studio\" shot";
                csv.put(fileName(p), caption);
                source = CaptionSource.METADATA_CSV;
            }
            case KOHYA -> {
                if (p.round() % 2 == 0) {
                    writeText(dir.resolve(stem(path) + ".txt"), caption);
                } else {
                    caption = "shapes";
                    source = CaptionSource.KOHYA_FOLDER;
                }
            }
            case UNICODE -> {
                caption = caption + " — 形と色 ✓";
                writeText(dir.resolve(stem(path) + ".txt"), caption);
            }
            case SIDECAR -> writeText(dir.resolve(stem(path) + (p.round() % 2 == 0 ? ".txt" : ".caption")), caption);
            default -> writeText(dir.resolve(stem(path) + ".txt"), caption);
        }
        return new GoodImage(path, caption, source, p.format(), p.width(), p.height(),
                buckets.assign(p.width(), p.height()).bucket());
    }

    /**
     * Writes {@code count} photo-like JPEGs of 0.3 to 4 megapixels with sidecar captions into
     * {@code dir}, for throughput measurements.
     */
    public static SyntheticManifest writeBenchmarkSet(Path dir, long seed, int count) throws IOException {
        Files.createDirectories(dir);
        AspectRatioBuckets buckets = AspectRatioBuckets.of(defaultBuckets());
        List<GoodImage> good = IntStream.range(0, count).parallel().mapToObj(i -> {
            SplittableRandom r = random(seed, i, 0);
            int[] aspect = ASPECTS[r.nextInt(ASPECTS.length)];
            double pixels = 300_000 + r.nextDouble() * 3_700_000;
            int width = (int) Math.round(Math.sqrt(pixels * aspect[0] / aspect[1]));
            int height = (int) Math.round(width * (double) aspect[1] / aspect[0]);
            String shape = ShapePainter.SHAPES.get(r.nextInt(ShapePainter.SHAPES.size()));
            var fg = ShapePainter.COLORS.get(r.nextInt(ShapePainter.COLORS.size()));
            var bg = ShapePainter.COLORS.get(r.nextInt(ShapePainter.COLORS.size()));
            BufferedImage image = ShapePainter.paint(width, height, shape, fg.color(), bg.color(), 14, r);
            String path = String.format(Locale.ROOT, "bench_%05d.jpg", i);
            String caption = "a " + fg.name() + " " + shape + " on a " + bg.name() + " background";
            write(dir.resolve(path), Encoders.jpeg(image, 0.9f));
            writeText(dir.resolve(stem(path) + ".txt"), caption);
            return new GoodImage(path, caption, CaptionSource.SIDECAR, "jpeg", width, height,
                    buckets.assign(width, height).bucket());
        }).toList();
        return new SyntheticManifest(good, List.of());
    }

    /** The two kinds of image of {@link #writeShapes}, and their captions. */
    public static final List<String> SHAPE_CAPTIONS = List.of("a red circle", "a blue square");

    /**
     * Writes {@code count} PNGs of {@code side} x {@code side} for a training demo, alternately a red
     * circle and a blue square (captions {@link #SHAPE_CAPTIONS}, in sidecar files) on a white,
     * black or grey background with uneven light and grain, so that the colour named in the caption
     * is what sets an image's colour apart. Image i is a function of the seed and i.
     */
    public static SyntheticManifest writeShapes(Path dir, long seed, int count, int side) throws IOException {
        Files.createDirectories(dir);
        List<ShapePainter.Named> backgrounds = ShapePainter.COLORS.stream()
                .filter(c -> c.name().equals("white") || c.name().equals("black")).toList();
        List<GoodImage> good = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SplittableRandom r = random(seed, i, 2);
            boolean red = i % 2 == 0;
            ShapePainter.Named fg = ShapePainter.COLORS.get(red ? 0 : 2);
            Color bg = r.nextInt(3) < 2 ? backgrounds.get(r.nextInt(2)).color() : new Color(128, 128, 128);
            BufferedImage image = ShapePainter.paint(side, side, red ? "circle" : "square", fg.color(), bg, 6, r);
            String path = String.format(Locale.ROOT, "shape_%05d.png", i);
            String caption = SHAPE_CAPTIONS.get(red ? 0 : 1);
            write(dir.resolve(path), Encoders.lossless(image, "png"));
            writeText(dir.resolve(stem(path) + ".txt"), caption);
            good.add(new GoodImage(path, caption, CaptionSource.SIDECAR, "png", side, side, null));
        }
        return new SyntheticManifest(good, List.of());
    }

    private static Plan plan(int index, long seed) {
        SplittableRandom r = random(seed, index, 0);
        Layout layout = index == 0 ? Layout.DUPS : Layout.values()[1 + (index - 1) % (Layout.values().length - 1)];
        String format = index == 0 ? "jpeg" : FORMATS[r.nextInt(FORMATS.length)];
        int[] aspect = ASPECTS[index % ASPECTS.length];
        int shortSide = 512 + r.nextInt(193);
        int width = aspect[0] >= aspect[1] ? shortSide * aspect[0] / aspect[1] : shortSide;
        int height = aspect[0] >= aspect[1] ? shortSide : shortSide * aspect[1] / aspect[0];
        String shape = ShapePainter.SHAPES.get(r.nextInt(ShapePainter.SHAPES.size()));
        var fg = ShapePainter.COLORS.get(r.nextInt(ShapePainter.COLORS.size()));
        var bg = ShapePainter.COLORS.get(r.nextInt(ShapePainter.COLORS.size()));
        while (bg.equals(fg)) bg = ShapePainter.COLORS.get(r.nextInt(ShapePainter.COLORS.size()));
        return new Plan(index, layout, format, width, height, shape, fg, bg);
    }

    /**
     * Paints, encodes and writes every image in parallel, then (sequentially, so the outcome is
     * fixed by the seed) re-draws any image whose hash is too close to an earlier one. Returns the
     * attempt that produced each image; images are not kept in memory.
     */
    private static int[] drawDistinct(Path dir, List<Plan> plans, long seed) {
        long[] hashes = IntStream.range(0, plans.size()).parallel().mapToLong(i -> draw(dir, plans.get(i), seed, 0)).toArray();
        int[] attempts = new int[plans.size()];
        List<Long> kept = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            while (tooClose(hashes[i], kept)) hashes[i] = draw(dir, plans.get(i), seed, ++attempts[i]);
            kept.add(hashes[i]);
        }
        return attempts;
    }

    private static long draw(Path dir, Plan p, long seed, int attempt) {
        BufferedImage image = paint(p, seed, attempt);
        write(dir.resolve(path(p)), Encoders.encode(image, p.format()));
        return PerceptualHash.of(image);
    }

    private static boolean tooClose(long hash, List<Long> hashes) {
        for (long h : hashes) {
            if (Hamming.distance(h, hash) < MIN_HASH_DISTANCE) return true;
        }
        return false;
    }

    private static BufferedImage paint(Plan p, long seed, int attempt) {
        SplittableRandom r = random(seed, p.index(), attempt + 1);
        return ShapePainter.paint(p.width(), p.height(), p.shape(), p.fg().color(), p.bg().color(), 10, r);
    }

    private static void plantDuplicates(Path dir, Plan original, BufferedImage image, List<PlantedFile> planted)
            throws IOException {
        String copy = "dups/" + stem(fileName(original)) + "_copy.jpg";
        write(dir.resolve(copy), Files.readAllBytes(dir.resolve(path(original))));
        writeText(dir.resolve(stem(copy) + ".txt"), original.caption());
        planted.add(new PlantedFile(copy, Reason.DUPLICATE, "byte copy of " + path(original)));

        int w = image.getWidth() * 9 / 10;
        int h = image.getHeight() * 9 / 10;
        BufferedImage smaller = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = smaller.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        String resaved = "dups/" + stem(fileName(original)) + "_resaved.jpg";
        write(dir.resolve(resaved), Encoders.jpeg(smaller, 0.95f));
        writeText(dir.resolve(stem(resaved) + ".txt"), original.caption());
        planted.add(new PlantedFile(resaved, Reason.NEAR_DUPLICATE, "90% size, JPEG quality 95 re-save of the original"));
    }

    private static void plantBadFiles(Path dir, SplittableRandom r, List<PlantedFile> planted) throws IOException {
        BufferedImage photo = ShapePainter.paint(640, 480, "circle", Color.RED, Color.BLUE, 10, r);
        byte[] jpeg = Encoders.jpeg(photo, 0.9f);
        byte[] png = Encoders.lossless(photo, "png");
        plant(dir, planted, "bad/empty.jpg", new byte[0], Reason.ZERO_BYTES, "zero-byte file");
        plant(dir, planted, "bad/notes.jpg", PlantedFiles.text("These are notes, not pixels.\n"), Reason.NOT_AN_IMAGE,
                "text file named .jpg");
        plant(dir, planted, "bad/random.png", PlantedFiles.randomBytes(4096, r), Reason.NOT_AN_IMAGE, "random bytes");
        plant(dir, planted, "bad/corrupt.png", PlantedFiles.corruptPng(640, 480, r), Reason.UNDECODABLE,
                "PNG container with garbage pixel data");
        plant(dir, planted, "bad/truncated.jpg", PlantedFiles.cut(jpeg, 0.6), Reason.TRUNCATED, "JPEG cut at 60%");
        plant(dir, planted, "bad/truncated.png", PlantedFiles.cut(png, 0.6), Reason.TRUNCATED, "PNG cut at 60%");
        plant(dir, planted, "bad/tiny.jpg", Encoders.jpeg(ShapePainter.paint(100, 80, "square", Color.GREEN, Color.BLACK, 10, r), 0.9f),
                Reason.TOO_SMALL, "100x80");
        plant(dir, planted, "bad/flat.jpg", Encoders.jpeg(PlantedFiles.flat(1024, 1024, Color.GRAY), 0.3f),
                Reason.LOW_BYTES_PER_PIXEL, "flat 1024x1024 JPEG at quality 30");
        plant(dir, planted, "bad/panorama.jpg",
                Encoders.jpeg(ShapePainter.paint(1600, 400, "square", Color.YELLOW, Color.BLUE, 10, r), 0.9f),
                Reason.EXTREME_ASPECT, "1600x400");
        plant(dir, planted, "bad/bomb.png", PlantedFiles.bombPng(30000, 30000), Reason.DECOMPRESSION_BOMB,
                "PNG header claiming 30000x30000");
        String uncaptioned = "bad/uncaptioned.png";
        write(dir.resolve(uncaptioned), Encoders.lossless(ShapePainter.paint(512, 512, "triangle", Color.ORANGE, Color.WHITE, 10, r), "png"));
        planted.add(new PlantedFile(uncaptioned, Reason.MISSING_CAPTION, "no sidecar, metadata or kohya folder"));
        write(dir.resolve(".DS_Store"), PlantedFiles.randomBytes(64, r));
        planted.add(new PlantedFile(".DS_Store", Reason.NOT_AN_IMAGE, "hidden file"));
    }

    private static void plant(Path dir, List<PlantedFile> planted, String path, byte[] bytes, Reason reason, String why)
            throws IOException {
        write(dir.resolve(path), bytes);
        writeText(dir.resolve(stem(path) + ".txt"), PLANTED_CAPTION);
        planted.add(new PlantedFile(path, reason, why));
    }

    private static String folder(Plan p) {
        return switch (p.layout()) {
            case DUPS -> "dups/";
            case JSONL -> p.round() % 3 == 0 ? JSONL_FOLDER + "sub/" : JSONL_FOLDER;
            case CSV -> "csv/";
            case SIDECAR -> "sidecar/";
            case KOHYA -> "10_shapes/";
            case NESTED -> "nested/deep/er/";
            case UNICODE -> "ünïcødé/";
        };
    }

    private static String path(Plan p) {
        return folder(p) + fileName(p);
    }

    /** File name relative to the layout's metadata folder (jsonl images may sit in a sub-folder). */
    private static String fileName(Plan p) {
        String ext = Encoders.extension(p.format());
        return switch (p.layout()) {
            case UNICODE -> String.format(Locale.ROOT, "形状 %04d%s", p.index(), ext);
            case CSV -> String.format(Locale.ROOT, p.round() % 2 == 0 ? "café ☕ %04d%s" : "shape_%04d%s", p.index(), ext);
            default -> String.format(Locale.ROOT, "shape_%04d%s", p.index(), ext);
        };
    }

    private static String stem(String path) {
        int dot = path.lastIndexOf('.');
        return path.substring(0, dot);
    }

    private static void writeJsonl(Path file, Map<String, String> rows) throws IOException {
        StringBuilder out = new StringBuilder();
        for (var e : rows.entrySet()) {
            var node = JSON.createObjectNode();
            node.put("file_name", e.getKey());
            node.put("text", e.getValue());
            out.append(JSON.writeValueAsString(node)).append('\n');
        }
        writeText(file, out.toString());
    }

    private static void writeCsv(Path file, Map<String, String> rows) throws IOException {
        StringBuilder out = new StringBuilder("file_name,text\r\n");
        for (var e : rows.entrySet()) out.append(quote(e.getKey())).append(',').append(quote(e.getValue())).append("\r\n");
        writeText(file, out.toString());
    }

    private static String quote(String field) {
        return "\"" + field.replace("\"", "\"\"") + "\"";
    }

    private static BucketSettings defaultBuckets() {
        return BucketSettings.from(ConfigFactory.defaultReference(SyntheticDataset.class.getClassLoader())
                .getConfig("sdspark.prep.bucket"));
    }

    private static SplittableRandom random(long seed, int index, int stream) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index * 1_000_003L + stream);
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeText(Path file, String text) {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
