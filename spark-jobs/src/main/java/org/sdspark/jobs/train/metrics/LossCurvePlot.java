package org.sdspark.jobs.train.metrics;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A PNG of one metric over the steps (the loss, by default): the raw values and an exponential
 * moving average (debiased, as TensorBoard's smoothing), redrawn every {@code every} steps and at
 * close, replacing the file in one move (or one object write) so a reader never sees half a PNG. Beyond
 * {@value #MAX_POINTS} points the raw curve is drawn as the means of equal runs of steps.
 */
public final class LossCurvePlot implements MetricsWriter {
    static final Color RAW = new Color(0x9EB9D4);
    static final Color SMOOTHED = new Color(0xC0392B);
    private static final int MAX_POINTS = 4000;
    private static final double SMOOTHING = 0.9;

    private final Output output;
    private final String metric;
    private final int every;
    private double[] steps = new double[1024];
    private double[] values = new double[1024];
    private int count;

    /** Where each drawing goes, whole: a PNG's bytes replace the previous one's. */
    @FunctionalInterface
    public interface Output {
        void write(byte[] png) throws IOException;
    }

    public LossCurvePlot(Path file, String metric, int every) {
        this(png -> replace(file, png), metric, every);
    }

    public LossCurvePlot(Output output, String metric, int every) {
        if (every < 1) throw new IllegalArgumentException("plot every " + every + " steps");
        this.output = output;
        this.metric = metric;
        this.every = every;
    }

    private static void replace(Path file, byte[] png) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.write(partial, png);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void scalars(long step, Map<String, Double> metrics) throws IOException {
        Double value = metrics.get(metric);
        if (value == null || !Double.isFinite(value)) return;
        add(step, value);
        if (step % every == 0) write();
    }

    /** Records a value without drawing (the steps of earlier attempts of a resumed run). */
    public void add(long step, double value) {
        if (count == steps.length) {
            steps = Arrays.copyOf(steps, 2 * count);
            values = Arrays.copyOf(values, 2 * count);
        }
        steps[count] = step;
        values[count++] = value;
    }

    /** Draws what has been recorded so far; nothing when no value has come yet. */
    public void write() throws IOException {
        if (count == 0) return;
        XYChart chart = new XYChartBuilder().width(900).height(500).title(metric).xAxisTitle("step").yAxisTitle(metric).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setLegendVisible(true);
        int bin = (count + MAX_POINTS - 1) / MAX_POINTS;
        int points = (count + bin - 1) / bin;
        double[] x = new double[points];
        double[] raw = new double[points];
        for (int p = 0; p < points; p++) {
            int from = p * bin;
            int to = Math.min(count, from + bin);
            double sum = 0;
            for (int i = from; i < to; i++) sum += values[i];
            x[p] = steps[to - 1];
            raw[p] = sum / (to - from);
        }
        chart.addSeries(metric, x, raw).setMarker(SeriesMarkers.NONE).setLineColor(RAW);
        chart.addSeries("smoothed", x, smoothed(raw)).setMarker(SeriesMarkers.NONE).setLineColor(SMOOTHED);
        output.write(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }

    static double[] smoothed(double[] raw) {
        double[] out = new double[raw.length];
        double last = 0;
        for (int i = 0; i < raw.length; i++) {
            last = last * SMOOTHING + (1 - SMOOTHING) * raw[i];
            out[i] = last / (1 - Math.pow(SMOOTHING, i + 1));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        write();
    }
}
