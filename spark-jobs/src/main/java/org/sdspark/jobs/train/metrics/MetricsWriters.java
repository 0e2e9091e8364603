package org.sdspark.jobs.train.metrics;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Several writers as one: each gets every call; close closes them all and reports the first failure. */
public final class MetricsWriters implements MetricsWriter {
    private final List<MetricsWriter> writers;

    public MetricsWriters(List<MetricsWriter> writers) {
        this.writers = List.copyOf(writers);
    }

    @Override
    public void scalars(long step, Map<String, Double> values) throws IOException {
        for (MetricsWriter w : writers) w.scalars(step, values);
    }

    @Override
    public void image(long step, String tag, BufferedImage image) throws IOException {
        for (MetricsWriter w : writers) w.image(step, tag, image);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (MetricsWriter w : writers) {
            try {
                w.close();
            } catch (IOException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
