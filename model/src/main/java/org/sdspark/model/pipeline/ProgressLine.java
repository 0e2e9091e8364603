package org.sdspark.model.pipeline;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * "image 1/2  step 12/30  2.41 it/s  ETA 0:19" over all steps of all images: the rate is the mean
 * since the start (it/s, or s/it when below one), the ETA that rate applied to the steps left.
 * At most one line a second, and always the last step's, so fast runs don't flood the terminal.
 */
public final class ProgressLine implements StepListener {
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final long start;
    private final LongSupplier clock;
    private final Consumer<String> out;
    private long lastPrinted;

    public ProgressLine(LongSupplier nanoClock, Consumer<String> out) {
        this.clock = nanoClock;
        this.start = nanoClock.getAsLong();
        this.lastPrinted = start;
        this.out = out;
    }

    @Override
    public void stepDone(int image, int images, int step, int steps) {
        long done = (long) image * steps + step;
        long total = (long) images * steps;
        long now = clock.getAsLong();
        if (now - lastPrinted >= INTERVAL_NANOS || done == total) {
            lastPrinted = now;
            out.accept(format(image, images, step, steps, done, total, now - start));
        }
    }

    static String format(int image, int images, int step, int steps, long done, long total, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String speed = rate >= 1 || rate == 0 ? String.format("%.2f it/s", rate) : String.format("%.2f s/it", 1 / rate);
        long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
        return String.format("image %d/%d  step %d/%d  %s  ETA %d:%02d", image + 1, images, step, steps, speed,
                eta / 60, eta % 60);
    }
}
