package org.sdspark.jobs.train.metrics;

import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A TensorBoard event file written in plain Java: TFRecord-framed {@code Event} protos, scalars as
 * {@code simple_value} and images as PNG-encoded {@code Summary.Image}, readable by TensorBoard and
 * by {@code tf.compat.v1.train.summary_iterator}. Each call is flushed, so TensorBoard follows a
 * running job.
 */
public final class TensorBoardWriter implements MetricsWriter {
    // Event fields
    private static final int WALL_TIME = 1;
    private static final int STEP = 2;
    private static final int FILE_VERSION = 3;
    private static final int SUMMARY = 5;
    // Summary.value, Summary.Value fields
    private static final int VALUE = 1;
    private static final int TAG = 1;
    private static final int SIMPLE_VALUE = 2;
    private static final int IMAGE = 4;
    // Summary.Image fields
    private static final int HEIGHT = 1;
    private static final int WIDTH = 2;
    private static final int COLORSPACE = 3;
    private static final int ENCODED = 4;
    private static final int RGB = 3;
    private static final int RGBA = 4;

    private final OutputStream out;
    private final Clock clock;

    public TensorBoardWriter(OutputStream out, Clock clock) throws IOException {
        this.out = new BufferedOutputStream(out);
        this.clock = clock;
        write(event(0).string(FILE_VERSION, "brain.Event:2"));
    }

    /** A new {@code events.out.tfevents.<seconds>.<host>.<pid>} file in {@code dir}, as TensorFlow names them. */
    public static TensorBoardWriter in(Path dir) throws IOException {
        Files.createDirectories(dir);
        Clock clock = Clock.systemUTC();
        String name = "events.out.tfevents." + clock.millis() / 1000 + "." + InetAddress.getLocalHost().getHostName()
                + "." + ManagementFactory.getRuntimeMXBean().getPid();
        return new TensorBoardWriter(Files.newOutputStream(dir.resolve(name)), clock);
    }

    @Override
    public void scalars(long step, Map<String, Double> values) throws IOException {
        Protobuf summary = new Protobuf();
        values.forEach((tag, value) ->
                summary.message(VALUE, new Protobuf().string(TAG, tag).float32(SIMPLE_VALUE, value.floatValue())));
        write(event(step).message(SUMMARY, summary));
    }

    @Override
    public void image(long step, String tag, BufferedImage image) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", png)) throw new IOException("no PNG writer for image " + tag);
        Protobuf encoded = new Protobuf().varint(HEIGHT, image.getHeight()).varint(WIDTH, image.getWidth())
                .varint(COLORSPACE, image.getColorModel().hasAlpha() ? RGBA : RGB).bytes(ENCODED, png.toByteArray());
        write(event(step).message(SUMMARY, new Protobuf().message(VALUE,
                new Protobuf().string(TAG, tag).message(IMAGE, encoded))));
    }

    private Protobuf event(long step) {
        return new Protobuf().float64(WALL_TIME, clock.millis() / 1000.0).varint(STEP, step);
    }

    private void write(Protobuf event) throws IOException {
        TfRecords.write(out, event.toByteArray());
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
