package org.sdspark.jobs.train;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdspark.jobs.train.metrics.CsvMetricsWriter;
import org.sdspark.jobs.train.metrics.LossCurvePlot;
import org.sdspark.jobs.train.metrics.MetricsWriter;
import org.sdspark.jobs.train.metrics.MetricsWriters;
import org.sdspark.jobs.train.metrics.TensorBoardWriter;
import org.sdspark.jobs.train.metrics.TrainingProgress;
import org.sdspark.model.train.MetricsSink;

/**
 * What rank 0 records of a run, in {@code <output>/metrics/} on any Hadoop file system: TensorBoard
 * events and a CSV, one new file of each per attempt (S3 cannot append), the loss curve
 * ({@code loss.png}, the whole run's, redrawn every few steps), plus the progress line
 * for the loop's own metrics; validation grids go to the events as images. The loop counts steps from 0; the writers' x axis is steps taken, so
 * step s is written as s + 1.
 */
final class LeaderMetrics implements MetricsSink, AutoCloseable {
    static final String LOSS_PLOT = "loss.png";
    static final String CSV_PREFIX = "metrics-from-step-";
    private static final int PLOT_EVERY = 10;

    private final MetricsWriter files;
    private final MetricsWriter progress;

    private LeaderMetrics(MetricsWriter files, MetricsWriter progress) {
        this.files = files;
        this.progress = progress;
    }

    static LeaderMetrics open(String output, Configuration conf, long totalSteps, long startStep) throws IOException {
        Path dir = new Path(output, "metrics");
        FileSystem fs = dir.getFileSystem(conf);
        Clock clock = Clock.systemUTC();
        String suffix = clock.millis() / 1000 + "." + InetAddress.getLocalHost().getHostName() + "."
                + ManagementFactory.getRuntimeMXBean().getPid();
        LossCurvePlot plot = new LossCurvePlot(png -> {
            try (FSDataOutputStream out = fs.create(new Path(dir, LOSS_PLOT), true)) {
                out.write(png);
            }
        }, "loss", PLOT_EVERY);
        earlierLosses(fs, dir, startStep).forEach(plot::add);
        List<MetricsWriter> writers = new ArrayList<>();
        writers.add(new TensorBoardWriter(fs.create(new Path(dir, "events.out.tfevents." + suffix)), clock));
        writers.add(new CsvMetricsWriter(fs.create(new Path(dir, CSV_PREFIX + startStep + "." + suffix + ".csv")),
                clock, true));
        writers.add(plot);
        return new LeaderMetrics(new MetricsWriters(writers),
                new TrainingProgress(totalSteps, startStep, System::nanoTime, System.err::println));
    }

    /**
     * The losses of the steps before {@code startStep} that earlier attempts wrote to their CSV
     * files, so that a resumed run's loss curve starts at step 1 (steps an attempt took past its
     * last checkpoint are taken again, and left out here).
     */
    private static Map<Long, Double> earlierLosses(FileSystem fs, Path dir, long startStep) throws IOException {
        Map<Long, Double> losses = new TreeMap<>();
        if (startStep == 0 || !fs.exists(dir)) {
            return losses;
        }
        for (FileStatus file : fs.listStatus(dir, p -> p.getName().startsWith(CSV_PREFIX) && p.getName().endsWith(".csv"))) {
            // a killed attempt leaves its CSV and the CSV's checksum file unfinished: read the bytes as they are
            FileSystem raw = fs instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(raw.open(file.getPath()), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] f = line.split(",");
                    if (f.length == 4 && f[2].equals("loss") && !f[0].equals("step")) {
                        long step = Long.parseLong(f[0]);
                        if (step <= startStep) {
                            losses.put(step, Double.parseDouble(f[3]));
                        }
                    }
                }
            }
        }
        return losses;
    }

    /** The loop's metrics: to the files and the progress line. */
    @Override
    public void write(long step, Map<String, Double> values) {
        record(step, values);
        scalars(progress, step, values);
    }

    /** Further metrics of a step (per-rank timings): to the files only. */
    void record(long step, Map<String, Double> values) {
        scalars(files, step, values);
    }

    /** A picture of the step (a validation grid): to the TensorBoard events. */
    void image(long step, String tag, BufferedImage image) {
        try {
            files.image(step + 1, tag, image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the " + tag + " image of step " + (step + 1), e);
        }
    }

    private static void scalars(MetricsWriter writer, long step, Map<String, Double> values) {
        try {
            writer.scalars(step + 1, values);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics of step " + (step + 1), e);
        }
    }

    @Override
    public void close() throws IOException {
        try (progress) {
            files.close();
        }
    }
}
