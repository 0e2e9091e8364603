package org.sdspark.jobs.prep;

import java.io.PrintStream;
import java.time.Duration;
import org.apache.spark.util.LongAccumulator;

/**
 * A line every few seconds with images done, rate and ETA, read from an accumulator that the
 * executors add to (the driver sees each task's count when the task ends). An unchanged count is
 * printed again after {@link #QUIET}, so that long tasks do not look like a hang.
 */
public final class Progress implements AutoCloseable {

    private final String label;
    private final long total;
    private final LongAccumulator done;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private final Thread ticker;
    private long printed = -1;
    private long printedAtNanos;
    private static final long QUIET = Duration.ofSeconds(10).toNanos();

    public Progress(String label, long total, LongAccumulator done, PrintStream out, Duration every) {
        this.label = label;
        this.total = total;
        this.done = done;
        this.out = out;
        this.ticker = new Thread(() -> tick(every), "sdspark-progress");
        this.ticker.setDaemon(true);
        this.ticker.start();
    }

    private void tick(Duration every) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(every.toMillis());
                print();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prints the current count unless that count was printed last, and recently. */
    private synchronized void print() {
        long now = Math.min(done.value(), total);
        if (now != printed || System.nanoTime() - printedAtNanos > QUIET) {
            out.println(line(now));
            printed = now;
            printedAtNanos = System.nanoTime();
        }
    }

    String line(long now) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds > 0 ? now / seconds : 0;
        String eta = rate > 0 && now < total ? ", ETA " + clock((long) ((total - now) / rate)) : "";
        return String.format("%s: %d/%d images (%.0f%%), %.1f images/s%s",
                label, now, total, total == 0 ? 100.0 : 100.0 * now / total, rate, eta);
    }

    private static String clock(long seconds) {
        return seconds >= 3600
                ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }

    @Override
    public void close() {
        ticker.interrupt();
        print();
    }
}
