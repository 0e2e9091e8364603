package org.sdspark.model.pipeline;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** Tiles images left to right, top to bottom, by default in a near-square grid (columns = ceil(sqrt(n))). */
public final class ImageGrid {
    private ImageGrid() {
    }

    public static int columns(int count) {
        return (int) Math.ceil(Math.sqrt(count));
    }

    public static BufferedImage of(List<BufferedImage> images) {
        return of(images, columns(images.size()));
    }

    /** {@code cols} images per row (a row per prompt of a validation grid). */
    public static BufferedImage of(List<BufferedImage> images, int cols) {
        if (images.isEmpty() || cols < 1) {
            throw new IllegalArgumentException("a grid needs at least one image");
        }
        int w = images.get(0).getWidth();
        int h = images.get(0).getHeight();
        int rows = (images.size() + cols - 1) / cols;
        BufferedImage grid = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            for (int i = 0; i < images.size(); i++) {
                BufferedImage img = images.get(i);
                if (img.getWidth() != w || img.getHeight() != h) {
                    throw new IllegalArgumentException("image " + i + " is " + img.getWidth() + "x" + img.getHeight()
                            + ", the grid's tiles are " + w + "x" + h);
                }
                g.drawImage(img, (i % cols) * w, (i / cols) * h, null);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }
}
