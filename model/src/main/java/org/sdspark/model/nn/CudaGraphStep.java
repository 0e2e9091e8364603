package org.sdspark.model.nn;

import ai.djl.Device;

/**
 * A step recorded once as a CUDA graph and then replayed: the GPU runs the same kernels on the same
 * memory, launched by one call instead of one per kernel. Small batches of a UNet are bound by kernel
 * launches (forward and backward launch a few thousand), so a replay takes what the GPU needs,
 * not what the host needs to queue the work.
 *
 * <p>What the step records must be the same every time: inputs read from the same tensors
 * (write new values into them before a replay), no copy from Java and no read back to Java while
 * recording, tensors that outlive the step (gradients, the inputs) made before it. Random numbers
 * drawn on the GPU inside the step are new on every replay. Nothing from an earlier eager run may
 * still hold its autograd graph (keep outputs in the step's own scope): the parameters' gradient
 * accumulators would stay on the stream they were made on, outside the recording. A recording that
 * fails leaves libtorch's CUDA state in this process unusable (the allocator and the random
 * generator stay in recording mode): treat it as fatal. Needs the torch extension built against a
 * CUDA libtorch.
 */
public final class CudaGraphStep implements AutoCloseable {
    private final long handle;
    private boolean closed;

    private CudaGraphStep(long handle) {
        this.handle = handle;
    }

    /** Whether the loaded torch extension can record CUDA graphs on {@code device} (a GPU). */
    public static boolean available(Device device) {
        return device.isGpu() && TorchExtension.isLoaded() && TorchExtension.cudaGraphsBuilt();
    }

    /**
     * Runs {@code step} {@code warmups} times on the graph's own stream (the kernels' workspaces and
     * lazily built plans are made there, before recording), then records it once. Recording runs
     * nothing: {@link #replay()} does.
     */
    public static CudaGraphStep capture(Device device, int warmups, Runnable step) {
        return capture(device, warmups, step, null);
    }

    /**
     * As {@link #capture(Device, int, Runnable)}, the step's temporaries in the memory of
     * {@code sharesMemoryWith}'s (null: memory of its own). Graphs that share memory must never
     * run at the same time (one stream runs them in turn) and keep nothing made inside them past
     * their own replay.
     */
    public static CudaGraphStep capture(Device device, int warmups, Runnable step, CudaGraphStep sharesMemoryWith) {
        if (!available(device)) {
            throw new IllegalStateException("CUDA graphs need a GPU (not " + device + ") and the torch extension built"
                    + " against a CUDA libtorch (" + TorchExtension.PATH_PROPERTY + ")");
        }
        long handle = TorchExtension.stepGraphCreate(device.getDeviceId(), sharesMemoryWith == null ? 0 : sharesMemoryWith.handle);
        try {
            TorchExtension.stepGraphEnterOwnStream(handle);
            try {
                for (int i = 0; i < warmups; i++) {
                    step.run();
                }
                record(handle, step);
            } finally {
                TorchExtension.stepGraphLeaveOwnStream(handle);
            }
        } catch (RuntimeException | Error e) {
            TorchExtension.stepGraphClose(handle);
            throw e;
        }
        return new CudaGraphStep(handle);
    }

    private static void record(long handle, Runnable step) {
        TorchExtension.stepGraphCaptureBegin(handle);
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            try {
                TorchExtension.stepGraphCaptureEnd(handle);
            } catch (RuntimeException ended) {
                e.addSuppressed(ended);
            }
            throw e;
        }
        TorchExtension.stepGraphCaptureEnd(handle);
    }

    /** Queues the recorded kernels on the current stream. */
    public void replay() {
        if (closed) {
            throw new IllegalStateException("this CUDA graph is closed");
        }
        TorchExtension.stepGraphReplay(handle);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            TorchExtension.stepGraphClose(handle);
        }
    }
}
