package org.sdspark.jobs.train.metrics;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Map;

/**
 * Metrics as CSV in long form, {@code step,wall_time,name,value}, one line per value: metrics that
 * appear later (validation, a second learning rate) need no new column, and a resumed run appends
 * to the same file. Doubles are written in full ({@link Double#toString}).
 */
public final class CsvMetricsWriter implements MetricsWriter {
    static final String HEADER = "step,wall_time,name,value";

    private final BufferedWriter out;
    private final Clock clock;

    public CsvMetricsWriter(OutputStream out, Clock clock, boolean header) throws IOException {
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        this.clock = clock;
        if (header) {
            this.out.write(HEADER);
            this.out.newLine();
        }
    }

    /** Appends to {@code file}, writing the header when the file is new or empty. */
    public static CsvMetricsWriter appendingTo(Path file) throws IOException {
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        return new CsvMetricsWriter(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                Clock.systemUTC(), fresh);
    }

    @Override
    public void scalars(long step, Map<String, Double> values) throws IOException {
        String time = Double.toString(clock.millis() / 1000.0);
        for (var e : values.entrySet()) {
            out.write(step + "," + time + "," + quoted(e.getKey()) + "," + e.getValue());
            out.newLine();
        }
        out.flush();
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    private static String quoted(String field) {
        if (field.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) return field;
        return '"' + field.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
