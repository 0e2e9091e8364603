package org.sdspark.jobs.train.distributed;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.BarrierTaskContext;
import org.sdspark.model.train.collective.CollectiveException;
import org.sdspark.model.train.collective.Rendezvous;

/**
 * The tasks of a barrier stage meet through Spark's {@code BarrierTaskContext.allGather}. Spark's
 * own wait ({@code spark.barrier.sync.timeout}) defaults to a year, so each call is also bounded
 * here: a task that never reaches the rendezvous fails the others within the run's timeout.
 */
final class BarrierRendezvous implements Rendezvous, AutoCloseable {
    private final BarrierTaskContext context;
    private final Duration timeout;
    private final ExecutorService caller;

    BarrierRendezvous(BarrierTaskContext context, Duration timeout) {
        this.context = context;
        this.timeout = timeout;
        this.caller = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sdspark-rendezvous-" + context.partitionId());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public int rank() {
        return context.partitionId();
    }

    @Override
    public int worldSize() {
        return context.getTaskInfos().length;
    }

    @Override
    public List<String> allGather(String message) {
        Future<String[]> all = caller.submit(() -> context.allGather(message));
        try {
            return List.of(all.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            all.cancel(true);
            throw new CollectiveException("rank " + rank() + " waited " + timeout.toSeconds() + " s at the rendezvous of the "
                    + worldSize() + " barrier tasks (stage " + context.stageId() + " attempt " + context.stageAttemptNumber()
                    + ") and not every task arrived: one is stuck before training or its executor is gone");
        } catch (ExecutionException e) {
            throw new CollectiveException("rank " + rank() + " failed at the rendezvous: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("rank " + rank() + " was interrupted at the rendezvous", e);
        }
    }

    /** The address the other tasks reach this one at: its executor's host as Spark knows it. */
    String host() {
        String address = context.getTaskInfos()[context.partitionId()].address();
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    @Override
    public void close() {
        caller.shutdownNow();
    }
}
