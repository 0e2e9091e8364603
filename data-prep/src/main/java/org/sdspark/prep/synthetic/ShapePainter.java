package org.sdspark.prep.synthetic;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Paints one shape on an unevenly lit background with film-grain noise, so that encoded sizes
 * and perceptual hashes behave like photographs rather than flat vector art.
 */
final class ShapePainter {
    record Named(String name, Color color) {}

    static final List<Named> COLORS = List.of(
            new Named("red", new Color(200, 30, 30)), new Named("green", new Color(40, 160, 60)),
            new Named("blue", new Color(40, 70, 200)), new Named("yellow", new Color(230, 210, 40)),
            new Named("purple", new Color(130, 50, 160)), new Named("orange", new Color(240, 130, 20)),
            new Named("white", new Color(235, 235, 235)), new Named("black", new Color(25, 25, 25)),
            new Named("pink", new Color(240, 140, 180)), new Named("teal", new Color(20, 140, 140)));
    static final List<String> SHAPES = List.of("circle", "square", "triangle");

    private ShapePainter() {}

    /** A shape of {@code fg} on {@code bg}; {@code grain} is the noise amplitude per pixel. */
    static BufferedImage paint(int width, int height, String shape, Color fg, Color bg, int grain, SplittableRandom r) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.drawImage(lighting(bg, r), 0, 0, width, height, null);
            int side = Math.min(width, height);
            int size = side * (30 + r.nextInt(35)) / 100;
            int x = r.nextInt(Math.max(1, width - size));
            int y = r.nextInt(Math.max(1, height - size));
            g.setColor(fg);
            switch (shape) {
                case "circle" -> g.fillOval(x, y, size, size);
                case "square" -> g.fillRect(x, y, size, size);
                case "triangle" -> g.fillPolygon(new Polygon(new int[] {x, x + size / 2, x + size},
                        new int[] {y + size, y, y + size}, 3));
                default -> throw new IllegalArgumentException(shape);
            }
            g.setColor(fg.darker());
            for (int i = 0; i < 6; i++) {
                int sx = x + r.nextInt(Math.max(1, size));
                int sy = y + r.nextInt(Math.max(1, size));
                g.fillOval(sx, sy, 2 + size / 20, 2 + size / 20);
            }
        } finally {
            g.dispose();
        }
        addGrain(image, grain, r);
        return image;
    }

    /** A coarse grid of brightness variations around {@code bg}, smoothed by bilinear upscaling. */
    private static BufferedImage lighting(Color bg, SplittableRandom r) {
        int gw = 4 + r.nextInt(6);
        int gh = 4 + r.nextInt(6);
        BufferedImage grid = new BufferedImage(gw, gh, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < gh; y++) {
            for (int x = 0; x < gw; x++) {
                int d = r.nextInt(-50, 51);
                grid.setRGB(x, y, rgb(bg.getRed() + d, bg.getGreen() + d, bg.getBlue() + d));
            }
        }
        return grid;
    }

    private static void addGrain(BufferedImage image, int grain, SplittableRandom r) {
        if (grain == 0) return;
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            int n = r.nextInt(-grain, grain + 1);
            pixels[i] = rgb(((p >> 16) & 0xFF) + n, ((p >> 8) & 0xFF) + n + r.nextInt(-1, 2), (p & 0xFF) + n);
        }
    }

    private static int rgb(int red, int green, int blue) {
        return (clamp(red) << 16) | (clamp(green) << 8) | clamp(blue);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
