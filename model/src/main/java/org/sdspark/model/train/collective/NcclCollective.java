package org.sdspark.model.train.collective;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import java.util.Base64;
import java.util.function.BooleanSupplier;
import org.sdspark.model.train.FlatParameters;
import org.sdspark.model.train.GradientReducer;

/**
 * The GPU backend: NCCL on the tensors' own GPU memory, one communicator per process and device.
 * Rank 0 makes the NCCL unique id and the rendezvous hands it to every rank. Collectives run on
 * the device's current stream (ordered with the training kernels) and this call waits for them,
 * with the run's timeout: past it, or once the caller is cancelled (a killed Spark task, polled by
 * a watchdog thread), the communicator is aborted and the call fails.
 */
public final class NcclCollective implements Communicator {
    private final long handle;
    private final int rank;
    private final int worldSize;
    private final Device device;
    private final CollectiveSettings settings;
    private final Thread watchdog;
    private double allReduceSeconds;
    private String closedBecause;

    private NcclCollective(long handle, int rank, int worldSize, Device device, CollectiveSettings settings,
                           BooleanSupplier cancelled) {
        this.handle = handle;
        this.rank = rank;
        this.worldSize = worldSize;
        this.device = device;
        this.settings = settings;
        this.watchdog = new Thread(() -> watch(cancelled), "sdspark-nccl-watchdog-rank-" + rank);
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private void watch(BooleanSupplier cancelled) {
        try {
            while (!cancelled.getAsBoolean()) {
                Thread.sleep(250);
            }
            synchronized (this) {
                if (closedBecause == null) {
                    Nccl.cancel(handle);
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    public static NcclCollective open(Rendezvous rendezvous, Device device, CollectiveSettings settings,
                                      BooleanSupplier cancelled) {
        if (!device.isGpu()) {
            throw new IllegalArgumentException("NCCL runs on GPUs; rank " + rendezvous.rank() + " has " + device);
        }
        Nccl.load();
        String mine = rendezvous.rank() == 0 ? Base64.getEncoder().encodeToString(Nccl.uniqueId()) : "";
        byte[] id = Base64.getDecoder().decode(rendezvous.allGather(mine).get(0));
        long handle = Nccl.init(id, rendezvous.worldSize(), rendezvous.rank(), device.getDeviceId(), settings.timeout().toMillis());
        return new NcclCollective(handle, rendezvous.rank(), rendezvous.worldSize(), device, settings, cancelled);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    @Override
    public void allReduceMean(NDArray flat) {
        requireOpen();
        float millis = Nccl.allReduceMean(handle, ((PtNDArray) flat).getHandle(), settings.bucketElements(),
                settings.wire() == WireFormat.FP16, settings.timeout().toMillis());
        allReduceSeconds += millis / 1e3;
    }

    /**
     * With float32 on the wire, gradients are reduced bucket by bucket during backward, on a
     * stream of their own; float16 on the wire casts the buffer after backward instead.
     */
    @Override
    public GradientReducer gradientReducer(FlatParameters parameters, NDArray gradients) {
        if (settings.wire() != WireFormat.FP32) {
            return null;
        }
        requireOpen();
        GradientBuckets buckets = GradientBuckets.of(parameters.layout(), settings.bucketElements());
        long[] handles = parameters.tensors().stream().mapToLong(t -> ((PtNDArray) t).getHandle()).toArray();
        long reducer = Nccl.reducerCreate(handle, ((PtNDArray) gradients).getHandle(), handles, parameters.offsets(),
                buckets.bucketOfEntry(), buckets.from(), buckets.to(), settings.timeout().toMillis());
        return new GradientReducer() {
            @Override
            public void beforeBackward(boolean last) {
                requireOpen();
                Nccl.reducerBeforeBackward(reducer, last);
            }

            @Override
            public void finish() {
                requireOpen();
                allReduceSeconds += Nccl.reducerFinish(reducer) / 1e3;
            }

            @Override
            public void close() {
                Nccl.reducerDestroy(reducer);
            }
        };
    }

    @Override
    public void broadcast(NDArray flat, int root) {
        requireOpen();
        Nccl.broadcast(handle, ((PtNDArray) flat).getHandle(), root, settings.timeout().toMillis());
    }

    @Override
    public void barrier() {
        requireOpen();
        try (NDManager scope = NDManager.newBaseManager(device)) {
            Nccl.allReduceMean(handle, ((PtNDArray) scope.zeros(new Shape(1), DataType.FLOAT32)).getHandle(), 1, false,
                    settings.timeout().toMillis());
        }
    }

    private void requireOpen() {
        if (closedBecause != null) {
            throw new CollectiveException("rank " + rank + "'s NCCL communicator is " + closedBecause);
        }
    }

    /** Aborts the communicator; the peers' collectives then fail by their own timeout or cancellation. */
    @Override
    public void abort(String why) {
        end("aborted: " + why, false);
    }

    private synchronized void end(String because, boolean clean) {
        if (closedBecause == null) {
            closedBecause = because;
            watchdog.interrupt();
            Nccl.destroy(handle, clean);
        }
    }

    @Override
    public String describe() {
        return "NCCL " + Nccl.version() + " on " + device + ", " + settings.wire().name().toLowerCase() + " all-reduce"
                + (settings.wire() == WireFormat.FP16 ? " in buckets of " + (settings.bucketBytes() >> 20) + " MiB" : "");
    }

    @Override
    public double takeAllReduceSeconds() {
        double seconds = allReduceSeconds;
        allReduceSeconds = 0;
        return seconds;
    }

    @Override
    public void close() {
        end("closed", true);
    }
}
