package org.sdspark.model.train.collective;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Ring all-reduce over TCP for CPU executors, on plain float arrays: a reduce-scatter (each rank
 * ends up owning the sum of one chunk) then an all-gather of the owned chunks, so every rank sends
 * and receives 2·(N−1)/N of the data whatever N is, and all ranks end with the same bits (each
 * chunk is summed on one rank and copied to the others). Sends run on a thread of their own while
 * the caller receives. After a failure the ring is broken: the neighbours are told why, and every
 * later call fails with the first error.
 */
public final class RingAllReduce implements AutoCloseable {
    private final int rank;
    private final int worldSize;
    private final WireFormat wire;
    private final Duration timeout;
    private final RingLinks links;
    private final ExecutorService sender;
    private byte[] sendBuffer = new byte[0];
    private byte[] receiveBuffer = new byte[0];
    private long frames;
    private long calls;
    private CollectiveException broken;

    private RingAllReduce(int rank, int worldSize, WireFormat wire, Duration timeout, RingLinks links) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.wire = wire;
        this.timeout = timeout;
        this.links = links;
        this.sender = links == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sdspark-ring-send-rank-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Joins the ring of {@code rendezvous}'s ranks, listening on {@code host} (the address the other
     * ranks reach this one at). {@code cancelled} is polled while waiting (a killed Spark task).
     */
    public static RingAllReduce open(Rendezvous rendezvous, String host, WireFormat wire, Duration timeout,
                                     BooleanSupplier cancelled) throws IOException {
        RingLinks links = rendezvous.worldSize() == 1 ? null : RingLinks.open(rendezvous, host, timeout, cancelled);
        return new RingAllReduce(rendezvous.rank(), rendezvous.worldSize(), wire, timeout, links);
    }

    public int rank() {
        return rank;
    }

    public int worldSize() {
        return worldSize;
    }

    /** Replaces {@code values} by the element-wise mean over all ranks' {@code values} (same length on every rank). */
    public void allReduceMean(float[] values) {
        if (worldSize == 1) {
            return;
        }
        String what = "all-reduce " + ++calls;
        run(what, () -> {
            int owned = (rank + 1) % worldSize;
            for (int s = 0; s < worldSize - 1; s++) {
                exchange(what, values, rank - s, rank - s - 1, true);
            }
            int from = start(values.length, owned);
            int length = start(values.length, owned + 1) - from;
            for (int i = from; i < from + length; i++) {
                values[i] /= worldSize;
            }
            wire.round(values, from, length);
            for (int s = 0; s < worldSize - 1; s++) {
                exchange(what, values, rank + 1 - s, rank - s, false);
            }
        });
    }

    /** Replaces {@code values} on every rank by rank {@code root}'s, passed along the ring. */
    public void broadcast(float[] values, int root) {
        if (worldSize == 1) {
            return;
        }
        String what = "broadcast " + ++calls;
        run(what, () -> {
            ensureCapacity(values.length);
            long frame = frames++;
            if (rank != root) {
                links.receive(frame, receiveBuffer, values.length * 4);
                WireFormat.FP32.decode(receiveBuffer, values, 0, values.length, false);
            }
            if (links.next().rank() != root) {
                WireFormat.FP32.encode(values, 0, values.length, sendBuffer);
                links.send(frame, sendBuffer, values.length * 4);
            }
        });
    }

    /** Returns once every rank has called it. */
    public void barrier() {
        allReduceMean(new float[1]);
    }

    /** Element where chunk {@code c} of a buffer of {@code n} values starts; chunk N ends it. */
    private int start(int n, int c) {
        return (int) ((long) n * c / worldSize);
    }

    /**
     * Sends chunk {@code out} to the next rank while receiving chunk {@code in} from the previous
     * one (chunk indices modulo the world size).
     */
    private void exchange(String what, float[] values, int out, int in, boolean add) throws Exception {
        int n = values.length;
        out = Math.floorMod(out, worldSize);
        in = Math.floorMod(in, worldSize);
        int outFrom = start(n, out);
        int outLength = start(n, out + 1) - outFrom;
        int inFrom = start(n, in);
        int inLength = start(n, in + 1) - inFrom;
        ensureCapacity(Math.max(outLength, inLength));
        long frame = frames++;
        wire.encode(values, outFrom, outLength, sendBuffer);
        Future<?> sent = sender.submit(() -> links.send(frame, sendBuffer, outLength * wire.bytes()));
        links.receive(frame, receiveBuffer, inLength * wire.bytes());
        wire.decode(receiveBuffer, values, inFrom, inLength, add);
        try {
            sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new CollectiveException("rank " + rank + " could not send to " + links.next() + " within "
                    + TcpRendezvous.seconds(timeout) + " during " + what + ": that rank stopped reading");
        }
    }

    private void ensureCapacity(int values) {
        int bytes = values * Math.max(4, wire.bytes());
        if (sendBuffer.length < bytes) {
            sendBuffer = new byte[bytes];
            receiveBuffer = new byte[bytes];
        }
    }

    @FunctionalInterface
    private interface Operation {
        void run() throws Exception;
    }

    private void run(String what, Operation operation) {
        if (broken != null) {
            throw new CollectiveException("rank " + rank + " cannot run " + what + ": the ring broke earlier: "
                    + broken.getMessage(), broken);
        }
        try {
            operation.run();
        } catch (CollectiveException e) {
            fail(e);
        } catch (ExecutionException e) {
            fail(e.getCause() instanceof CollectiveException c ? c
                    : new CollectiveException("rank " + rank + " failed sending during " + what + ": " + e.getCause(), e.getCause()));
        } catch (Exception e) {
            fail(new CollectiveException("rank " + rank + " failed during " + what + ": " + e, e));
        }
    }

    private void fail(CollectiveException e) {
        broken = e;
        links.abort(e.getMessage());
        throw e;
    }

    /** Stops the ring, telling the next rank (and through it every rank) {@code why}. */
    public void abort(String why) {
        CollectiveException e = new CollectiveException("rank " + rank + " aborted the run: " + why);
        if (broken == null) {
            broken = e;
        }
        if (links != null) {
            links.abort(e.getMessage());
        }
    }

    @Override
    public void close() {
        if (links != null) {
            links.close();
            sender.shutdownNow();
        }
    }
}
