package org.sdspark.jobs.train.metrics;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.sdspark.model.pipeline.ProgressLine;

/** "step 120/1000  loss 0.1234  2.41 it/s  ETA 6:05", through the project's progress line. */
public final class TrainingProgress implements MetricsWriter {
    private final long totalSteps;
    private final ProgressLine line;

    /** @param startStep steps already taken when this process started (a resumed run) */
    public TrainingProgress(long totalSteps, long startStep, LongSupplier nanoClock, Consumer<String> out) {
        this.totalSteps = totalSteps;
        this.line = new ProgressLine(nanoClock, out, startStep);
    }

    @Override
    public void scalars(long step, Map<String, Double> values) {
        Double loss = values.get("loss");
        String label = "step " + step + "/" + totalSteps + (loss == null ? "" : String.format("  loss %.4f", loss));
        line.update(label, step, totalSteps);
    }

    @Override
    public void close() {
    }
}
