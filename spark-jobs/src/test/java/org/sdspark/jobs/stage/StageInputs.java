package org.sdspark.jobs.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.SharedSpark;

/** Inputs of the stage tests (caption, cache-latents): images to prepare, and a prepared dataset with a bad image. */
public final class StageInputs {
    private StageInputs() {
    }

    /** A PNG of random pixels with one drawn oval, all from {@code random}. */
    public static void writeNoisyPng(Random random, int width, int height, Path file) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(random.nextInt(0x1000000)));
        g.fillOval(random.nextInt(width / 2), random.nextInt(height / 2), width / 2, height / 2);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    /**
     * Commits at {@code target} a copy of the prepared dataset {@code clean} in which the image of
     * the first source (in order) of the accepted rows {@code which} selects is cut to 60 bytes,
     * so no decoder reads it; returns that source.
     */
    public static String withUndecodableImage(Path clean, Path target, Column which) throws IOException {
        SparkSession spark = SharedSpark.get();
        Dataset<Row> accepted = spark.read().parquet(clean.resolve("accepted").toString());
        String source = accepted.filter(which).orderBy("source").first().getAs("source");
        byte[] truncated = Arrays.copyOf(accepted.filter(col("source").equalTo(source)).first().<byte[]>getAs("image"), 60);
        accepted.withColumn("image", when(col("source").equalTo(source), lit(truncated)).otherwise(col("image")))
                .write().parquet(target.resolve("accepted").toString());
        spark.read().parquet(clean.resolve("rejected").toString()).write().parquet(target.resolve("rejected").toString());
        Files.copy(clean.resolve("report.json"), target.resolve("report.json"));
        Files.createFile(target.resolve("_SUCCESS"));
        return source;
    }
}
