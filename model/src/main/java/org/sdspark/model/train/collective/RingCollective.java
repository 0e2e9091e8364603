package org.sdspark.model.train.collective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The CPU backend: flat tensors go through {@link RingAllReduce} one bucket at a time, so the Java
 * copies of a tensor never exceed a bucket however large the model. Values travel as float32 (or
 * float16 on the wire) whatever the tensor's type.
 */
public final class RingCollective implements Communicator {
    private final RingAllReduce ring;
    private final CollectiveSettings settings;
    private long allReduceNanos;

    private RingCollective(RingAllReduce ring, CollectiveSettings settings) {
        this.ring = ring;
        this.settings = settings;
    }

    /** Joins the ring; {@code host} is where the other ranks reach this process. */
    public static RingCollective open(Rendezvous rendezvous, String host, CollectiveSettings settings,
                                      BooleanSupplier cancelled) throws IOException {
        return new RingCollective(RingAllReduce.open(rendezvous, host, settings.wire(), settings.timeout(), cancelled), settings);
    }

    @Override
    public int rank() {
        return ring.rank();
    }

    @Override
    public int worldSize() {
        return ring.worldSize();
    }

    @Override
    public void allReduceMean(NDArray flat) {
        long start = System.nanoTime();
        bucketwise(flat, ring::allReduceMean);
        allReduceNanos += System.nanoTime() - start;
    }

    @Override
    public void broadcast(NDArray flat, int root) {
        bucketwise(flat, values -> ring.broadcast(values, root));
    }

    private interface BucketOperation {
        void apply(float[] values);
    }

    private void bucketwise(NDArray flat, BucketOperation operation) {
        if (ring.worldSize() == 1) {
            return;
        }
        if (flat.getShape().dimension() != 1) {
            throw new IllegalArgumentException("collectives take flat (1-d) tensors, got " + flat.getShape());
        }
        long size = flat.size();
        for (long from = 0; from < size; from += settings.bucketElements()) {
            long to = Math.min(size, from + settings.bucketElements());
            try (NDManager scope = flat.getManager().newSubManager()) {
                NDIndex range = new NDIndex("{}:{}", from, to);
                NDArray part = flat.get(range);
                part.attach(scope);
                float[] values = part.toType(DataType.FLOAT32, false).toFloatArray();
                operation.apply(values);
                flat.set(range, scope.create(values).toType(flat.getDataType(), false));
            }
        }
    }

    @Override
    public void barrier() {
        ring.barrier();
    }

    @Override
    public void abort(String why) {
        ring.abort(why);
    }

    @Override
    public String describe() {
        return "TCP ring of " + ring.worldSize() + " ranks, " + settings.wire().name().toLowerCase() + " on the wire, buckets of "
                + (settings.bucketBytes() >> 20) + " MiB";
    }

    @Override
    public double takeAllReduceSeconds() {
        double seconds = allReduceNanos / 1e9;
        allReduceNanos = 0;
        return seconds;
    }

    @Override
    public void close() {
        ring.close();
    }
}
