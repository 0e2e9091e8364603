package org.sdspark.jobs.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.sdspark.jobs.train.distributed.RankContext;
import org.sdspark.model.train.MetricsSink;
import org.sdspark.model.train.ProgressListener;
import org.sdspark.model.train.StepReport;
import org.sdspark.model.train.collective.CollectiveException;
import org.sdspark.model.train.collective.ReplicaCheck;
import org.sdspark.model.train.collective.StepTimes;

/**
 * What each rank does after every optimizer step besides training: stops if its task was killed,
 * shares its step and all-reduce times with the others (rank 0 records every rank's, and names the
 * rank that lags), and every {@code checksumEvery} steps checks that the replicas' weights are
 * still identical.
 */
final class RankMonitor implements ProgressListener {
    static final double LAG_TOLERANCE = 0.25;
    private static final int LAG_REPORT_EVERY = 20;

    private final RankContext rank;
    private final NDManager manager;
    private final Supplier<NDArray> weights;
    private final int checksumEvery;
    private final MetricsSink metrics;
    private final Consumer<String> log;
    private long last = System.nanoTime();
    private long lastLagReport = -LAG_REPORT_EVERY;

    RankMonitor(RankContext rank, NDManager manager, Supplier<NDArray> weights, int checksumEvery, MetricsSink metrics,
                Consumer<String> log) {
        this.rank = rank;
        this.manager = manager;
        this.weights = weights;
        this.checksumEvery = checksumEvery;
        this.metrics = metrics;
        this.log = log;
    }

    @Override
    public void onStep(StepReport report) {
        if (rank.cancelled().getAsBoolean()) {
            throw new CollectiveException("rank " + rank.rank() + " stops: its task was cancelled");
        }
        long now = System.nanoTime();
        double seconds = (now - last) / 1e9;
        last = now;
        StepTimes times = StepTimes.gather(rank.communicator(), manager, seconds, rank.communicator().takeAllReduceSeconds());
        long taken = report.step() + 1;
        if (rank.leader()) {
            record(report, times);
        }
        if (checksumEvery > 0 && taken % checksumEvery == 0) {
            ReplicaCheck.verify(rank.communicator(), weights.get(), taken);
        }
    }

    private void record(StepReport report, StepTimes times) {
        Map<String, Double> values = new LinkedHashMap<>();
        int world = times.stepSeconds().length;
        for (int r = 0; r < world; r++) {
            values.put("rank" + r + "/step_seconds", times.stepSeconds()[r]);
            values.put("rank" + r + "/all_reduce_seconds", times.allReduceSeconds()[r]);
        }
        values.put("samples_per_second_all_workers", report.samplesPerSecond() * world);
        OptionalInt laggard = times.laggard(LAG_TOLERANCE);
        values.put("lagging_rank", (double) laggard.orElse(-1));
        metrics.write(report.step(), values);
        if (laggard.isPresent() && report.step() - lastLagReport >= LAG_REPORT_EVERY) {
            lastLagReport = report.step();
            int r = laggard.getAsInt();
            log.accept(String.format(Locale.ROOT, "step %d: rank %d lags: %.3f s of compute per step against a median of %.3f s;"
                    + " the other ranks wait for it in the all-reduce", report.step() + 1, r, times.computeSeconds(r),
                    times.medianComputeSeconds()));
        }
    }
}
