package org.sdspark.jobs.train.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV, loss-curve PNG, progress line and the fan-out. */
class MetricsFilesTest {
    @TempDir
    Path dir;

    @Test
    void csvHasOneLinePerValueAndAResumedRunAppends() throws IOException {
        Path file = dir.resolve("metrics/metrics.csv");
        try (CsvMetricsWriter csv = CsvMetricsWriter.appendingTo(file)) {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("loss", 0.1);
            values.put("lr, unet", 2.5e-6);
            csv.scalars(1, values);
        }
        try (CsvMetricsWriter csv = CsvMetricsWriter.appendingTo(file)) {
            csv.scalars(2, Map.of("loss", 0.05));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("step,wall_time,name,value");
        assertThat(lines.get(1)).startsWith("1,").endsWith(",loss,0.1");
        assertThat(lines.get(2)).endsWith(",\"lr, unet\",2.5E-6");
        assertThat(lines.get(3)).startsWith("2,").endsWith(",loss,0.05");
    }

    @Test
    void csvWallTimeComesFromTheClock() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvMetricsWriter csv = new CsvMetricsWriter(out, Clock.fixed(Instant.ofEpochMilli(1500), ZoneOffset.UTC), false)) {
            csv.scalars(3, Map.of("loss", 1.0));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("3,1.5,loss,1.0" + System.lineSeparator());
    }

    @Test
    void theLossCurveIsAPngWithRawAndSmoothedLines() throws IOException {
        Path png = dir.resolve("loss.png");
        try (LossCurvePlot plot = new LossCurvePlot(png, "loss", 1000)) {
            for (int step = 1; step <= 300; step++) {
                plot.scalars(step, Map.of("loss", 1.0 / step + 0.05 * Math.sin(step), "lr", 1e-4));
            }
            assertThat(png).doesNotExist();
        }
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(500);
        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) colors.add(image.getRGB(x, y) & 0xFFFFFF);
        }
        assertThat(colors).contains(LossCurvePlot.RAW.getRGB() & 0xFFFFFF, LossCurvePlot.SMOOTHED.getRGB() & 0xFFFFFF);
    }

    @Test
    void smoothingIsDebiasedFromTheFirstValue() {
        double[] s = LossCurvePlot.smoothed(new double[] {2, 2, 2, 4});
        assertThat(s[0]).isEqualTo(2.0);
        assertThat(s[2]).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-12));
        // the biased average after three 2s is 2 * (1 - 0.9^3) = 2 * 0.271; debiased by 1 - 0.9^4
        assertThat(s[3]).isCloseTo((0.9 * 2 * 0.271 + 0.1 * 4) / 0.3439, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void progressShowsStepLossRateAndEta() {
        AtomicLong now = new AtomicLong();
        List<String> lines = new ArrayList<>();
        TrainingProgress progress = new TrainingProgress(1000, 100, now::get, lines::add);
        now.set(5_000_000_000L);
        progress.scalars(110, Map.of("loss", 0.123456));

        assertThat(lines).containsExactly("step 110/1000  loss 0.1235  2.00 it/s  ETA 7:25");
    }

    @Test
    void everyWriterGetsEveryCallAndAllAreClosed() throws IOException {
        ByteArrayOutputStream tb = new ByteArrayOutputStream();
        Path png = dir.resolve("curve.png");
        Clock clock = Clock.systemUTC();
        try (MetricsWriters all = new MetricsWriters(List.of(new TensorBoardWriter(tb, clock),
                new LossCurvePlot(png, "loss", 10)))) {
            all.scalars(1, Map.of("loss", 0.5));
            all.image(1, "grid", new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB));
        }
        assertThat(EventFileReader.events(tb.toByteArray())).hasSize(3);
        assertThat(png).exists();
    }
}
