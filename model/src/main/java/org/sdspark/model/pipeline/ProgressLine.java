package org.sdspark.model.pipeline;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * "image 1/2  step 12/30  2.41 it/s  ETA 0:19" over all steps of all images, or any other label
 * through {@link #update}: the rate is the mean since the start (it/s, or s/it when below one), the
 * ETA that rate applied to the steps left. At most one line a second, and always the last step's,
 * so fast runs don't flood the terminal.
 */
public final class ProgressLine implements StepListener {
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final long start;
    private final long alreadyDone;
    private final LongSupplier clock;
    private final Consumer<String> out;
    private long lastPrinted;

    public ProgressLine(LongSupplier nanoClock, Consumer<String> out) {
        this(nanoClock, out, 0);
    }

    /** For resumed work: the {@code alreadyDone} units done before this line started do not count toward the rate. */
    public ProgressLine(LongSupplier nanoClock, Consumer<String> out, long alreadyDone) {
        this.clock = nanoClock;
        this.start = nanoClock.getAsLong();
        this.lastPrinted = start;
        this.out = out;
        this.alreadyDone = alreadyDone;
    }

    @Override
    public void stepDone(int image, int images, int step, int steps) {
        update(String.format("image %d/%d  step %d/%d", image + 1, images, step, steps),
                (long) image * steps + step, (long) images * steps);
    }

    /** "{label}  {rate}  ETA m:ss" for {@code done} of {@code total} units. */
    public void update(String label, long done, long total) {
        long now = clock.getAsLong();
        if (now - lastPrinted >= INTERVAL_NANOS || done == total) {
            lastPrinted = now;
            out.accept(format(label, done - alreadyDone, total - done, now - start));
        }
    }

    static String format(String label, long doneHere, long left, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? doneHere / seconds : 0;
        String speed = rate >= 1 || rate == 0 ? String.format("%.2f it/s", rate) : String.format("%.2f s/it", 1 / rate);
        long eta = rate > 0 ? Math.round(left / rate) : 0;
        return String.format("%s  %s  ETA %d:%02d", label, speed, eta / 60, eta % 60);
    }
}
