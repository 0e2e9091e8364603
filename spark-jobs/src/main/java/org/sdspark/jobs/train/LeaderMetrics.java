package org.sdspark.jobs.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdspark.jobs.train.metrics.CsvMetricsWriter;
import org.sdspark.jobs.train.metrics.MetricsWriter;
import org.sdspark.jobs.train.metrics.MetricsWriters;
import org.sdspark.jobs.train.metrics.TensorBoardWriter;
import org.sdspark.jobs.train.metrics.TrainingProgress;
import org.sdspark.model.train.MetricsSink;

/**
 * What rank 0 records of a run, in {@code <output>/metrics/} on any Hadoop file system: TensorBoard
 * events and a CSV, one new file of each per attempt (S3 cannot append), plus the progress line
 * for the loop's own metrics. The loop counts steps from 0; the writers' x axis is steps taken, so
 * step s is written as s + 1.
 */
final class LeaderMetrics implements MetricsSink, AutoCloseable {
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
        List<MetricsWriter> writers = new ArrayList<>();
        writers.add(new TensorBoardWriter(fs.create(new Path(dir, "events.out.tfevents." + suffix)), clock));
        writers.add(new CsvMetricsWriter(fs.create(new Path(dir, "metrics-from-step-" + startStep + "." + suffix + ".csv")),
                clock, true));
        return new LeaderMetrics(new MetricsWriters(writers),
                new TrainingProgress(totalSteps, startStep, System::nanoTime, System.err::println));
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
