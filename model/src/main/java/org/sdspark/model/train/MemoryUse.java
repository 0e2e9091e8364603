package org.sdspark.model.train;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sdspark.model.nn.CudaMemory;
import org.sdspark.model.nn.TorchExtension;

/**
 * How much memory training holds on its device: on a GPU the CUDA allocator's bytes (through the
 * torch extension), on the CPU the process's resident set and its high-water mark from
 * {@code /proc/self/status}, since libtorch's CPU tensors live outside the Java heap. NaN where
 * neither can be read (no extension, no procfs).
 */
public abstract sealed class MemoryUse permits MemoryUse.Gpu, MemoryUse.Host {
    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    /** Current and peak use in GiB. */
    public record Reading(double currentGib, double peakGib) {
    }

    public static MemoryUse of(Device device) {
        return device.isGpu() ? new Gpu(device) : new Host();
    }

    public abstract Reading read();

    /** Starts the peak again from the current use (between benchmark phases). */
    public abstract void resetPeak();

    static final class Gpu extends MemoryUse {
        private final Device device;

        Gpu(Device device) {
            this.device = device;
        }

        @Override
        public Reading read() {
            if (!TorchExtension.isLoaded()) {
                return new Reading(Double.NaN, Double.NaN);
            }
            CudaMemory m = CudaMemory.of(device);
            return new Reading(m.allocated() / GIB, m.peakAllocated() / GIB);
        }

        @Override
        public void resetPeak() {
            if (TorchExtension.isLoaded()) {
                CudaMemory.resetPeaks(device);
            }
        }
    }

    static final class Host extends MemoryUse {
        @Override
        public Reading read() {
            try {
                double rss = Double.NaN;
                double hwm = Double.NaN;
                for (String line : Files.readAllLines(STATUS)) {
                    if (line.startsWith("VmRSS:")) {
                        rss = kib(line) / (1024.0 * 1024);
                    } else if (line.startsWith("VmHWM:")) {
                        hwm = kib(line) / (1024.0 * 1024);
                    }
                }
                return new Reading(rss, hwm);
            } catch (IOException | RuntimeException e) {
                return new Reading(Double.NaN, Double.NaN);
            }
        }

        private static long kib(String line) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }

        // Linux resets VmHWM to the current resident set when "5" is written to clear_refs.
        @Override
        public void resetPeak() {
            try {
                Files.writeString(CLEAR_REFS, "5");
            } catch (IOException | RuntimeException e) {
                // the peak then covers the process's whole life, which is still an upper bound
            }
        }
    }
}
