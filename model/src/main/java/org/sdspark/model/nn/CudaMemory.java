package org.sdspark.model.nn;

import ai.djl.Device;

/**
 * The CUDA caching allocator's byte counts for one GPU, as {@code torch.cuda.memory_stats} reports
 * them ({@code allocated_bytes.all.*}, {@code reserved_bytes.all.*}); read through the
 * {@link TorchExtension}, since DJL exposes none of them.
 */
public record CudaMemory(long allocated, long peakAllocated, long reserved, long peakReserved) {

    public static CudaMemory of(Device gpu) {
        long[] bytes = TorchExtension.cudaMemory(index(gpu));
        return new CudaMemory(bytes[0], bytes[1], bytes[2], bytes[3]);
    }

    /** Starts the peaks again from the current counts ({@code torch.cuda.reset_peak_memory_stats}). */
    public static void resetPeaks(Device gpu) {
        TorchExtension.resetPeakMemory(index(gpu));
    }

    /** Waits for every kernel queued on the GPU ({@code torch.cuda.synchronize}). */
    public static void synchronize(Device gpu) {
        TorchExtension.synchronize(index(gpu));
    }

    private static int index(Device gpu) {
        if (!gpu.isGpu()) {
            throw new IllegalArgumentException("CUDA memory of a " + gpu + " device");
        }
        if (!TorchExtension.isLoaded()) {
            throw new IllegalStateException("CUDA memory statistics need the torch extension (" + TorchExtension.PATH_PROPERTY + ")");
        }
        return gpu.getDeviceId();
    }
}
