package org.sdspark.jobs.prep;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkStatusTracker;

/**
 * One step of a job, told as it goes: a line when it starts, one every few seconds while it
 * lasts (with the tasks Spark has finished, when it runs any), and one when it ends. Long
 * driver-side work (listing, reading captions, duplicate resolution, writing) is never silent.
 */
final class Phase implements AutoCloseable {

    private final String what;
    private final JavaSparkStatusTracker tracker;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private final Thread ticker;

    Phase(String what, JavaSparkStatusTracker tracker, PrintStream out, Duration every) {
        this.what = what;
        this.tracker = tracker;
        this.out = out;
        out.println(what + " ...");
        this.ticker = new Thread(() -> tick(every), "sdspark-phase");
        this.ticker.setDaemon(true);
        this.ticker.start();
    }

    private void tick(Duration every) {
        try {
            while (true) {
                Thread.sleep(every.toMillis());
                out.println(String.format(Locale.ROOT, "%s: %.0f s%s", what, seconds(), tasks()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** ", tasks 3/40" over Spark's active stages, or "" when none runs. */
    private String tasks() {
        int done = 0;
        int all = 0;
        for (int id : tracker.getActiveStageIds()) {
            SparkStageInfo stage = tracker.getStageInfo(id);
            if (stage == null) continue;
            done += stage.numCompletedTasks();
            all += stage.numTasks();
        }
        return all == 0 ? "" : ", tasks " + done + "/" + all;
    }

    private double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    @Override
    public void close() {
        ticker.interrupt();
        try {
            ticker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.println(String.format(Locale.ROOT, "%s: done in %.1f s", what, seconds()));
    }
}
