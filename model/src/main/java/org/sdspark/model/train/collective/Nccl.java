package org.sdspark.model.train.collective;

import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The native side of {@link NcclCollective}: {@code libsdspark_nccl.so}, built from
 * {@code model/src/main/native/nccl} against the CUDA libtorch DJL loads and NCCL. Named by the
 * system property {@value #PATH_PROPERTY} or the environment variable {@value #PATH_ENV}.
 */
final class Nccl {
    static final String PATH_PROPERTY = "sdspark.nccl.library";
    static final String PATH_ENV = "SDSPARK_NCCL_LIBRARY";
    private static boolean loaded;

    private Nccl() {
    }

    static synchronized void load() {
        if (loaded) {
            return;
        }
        String configured = System.getProperty(PATH_PROPERTY, System.getenv(PATH_ENV));
        if (configured == null || configured.isBlank()) {
            throw new CollectiveException("the NCCL backend needs libsdspark_nccl.so: set " + PATH_ENV + " (or -D" + PATH_PROPERTY
                    + ") to it; build it with model/src/main/native/nccl/build.sh, or train with backend = ring");
        }
        Path path = Path.of(configured).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new CollectiveException(path + " (from " + PATH_ENV + " / " + PATH_PROPERTY + ") does not exist");
        }
        Engine.getEngine("PyTorch"); // the library links against libtorch: DJL must have loaded it first
        try {
            System.load(path.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new CollectiveException("cannot load " + path + " into DJL's libtorch " + Engine.getEngine("PyTorch").getVersion()
                    + " (is libnccl.so.2 on LD_LIBRARY_PATH?): " + e.getMessage(), e);
        }
        loaded = true;
    }

    static native String version();

    static native byte[] uniqueId();

    /** A communicator handle for {@code rank} of {@code world} on CUDA device {@code device}. */
    static native long init(byte[] uniqueId, int world, int rank, int device, long timeoutMillis);

    /** In place; returns the milliseconds the GPU spent in the collective. */
    static native float allReduceMean(long communicator, long tensor, long bucketElements, boolean fp16, long timeoutMillis);

    static native void broadcast(long communicator, long tensor, int root, long timeoutMillis);

    /**
     * A reducer of {@code flat} (float32, on the communicator's device) fed by gradient hooks on
     * {@code parameters}: parameter i's gradient goes to {@code flat[offsets[i]...]}, in bucket
     * {@code bucketOf[i]}; buckets [bucketFrom[b], bucketTo[b]) are launched in index order.
     */
    static native long reducerCreate(long communicator, long flat, long[] parameters, long[] offsets, int[] bucketOf,
                                     long[] bucketFrom, long[] bucketTo, long timeoutMillis);

    static native void reducerBeforeBackward(long reducer, boolean last);

    /** Waits for every bucket; returns the GPU milliseconds the all-reduce adds after backward's last kernel. */
    static native float reducerFinish(long reducer);

    /** Removes the hooks and frees the reducer. */
    static native void reducerDestroy(long reducer);

    /** Makes the call in flight on {@code communicator} (another thread's) give up; safe from any thread. */
    static native void cancel(long communicator);

    /** Frees the communicator: finalized when {@code clean}, else aborted (nothing waits for the peers). */
    static native void destroy(long communicator, boolean clean);
}
