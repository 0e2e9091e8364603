package org.sdspark.jobs.stage;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The models of an executor JVM, one per kind, folder, device and type, loaded by the first task
 * that needs one and shared by every later task (models are read-only; concurrent tasks each work
 * in their own scope). Models live as long as the executor.
 */
public final class ExecutorModels {
    private static final Map<Key, Object> MODELS = new ConcurrentHashMap<>();

    private record Key(Class<?> kind, String folder, String device, DataType type) {
    }

    /** How a kind of model loads from its folder. */
    @FunctionalInterface
    public interface Loader<M> {
        M load(Path folder, Device device, DataType type) throws IOException;
    }

    private ExecutorModels() {
    }

    /**
     * The model for this task: on the GPU Spark assigned to it, if any, else on the CPU, where
     * PyTorch then uses the task's {@code spark.task.cpus} threads.
     *
     * @param dtype {@code float16}, {@code float32}, or {@code auto}: float16 on a GPU, float32 on the CPU
     */
    public static <M> M forTask(Class<M> kind, String folder, String dtype, Loader<M> loader) {
        Device device = taskDevice();
        DataType type = switch (dtype) {
            case "float16" -> DataType.FLOAT16;
            case "float32" -> DataType.FLOAT32;
            default -> device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
        };
        Object model = MODELS.computeIfAbsent(new Key(kind, folder, device.toString(), type), k -> {
            try {
                return loader.load(Path.of(folder), device, type);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the model " + folder, e);
            }
        });
        if (!device.isGpu() && TaskContext.get() != null) {
            // An executor runs one task per core at once; PyTorch's default of one thread per core in
            // each of them oversubscribes the cores, and spinning threads make small kernels crawl.
            // The setting is the calling thread's (OpenMP), so each task thread makes it.
            JniUtils.setNumThreads(TaskContext.get().cpus());
        }
        return kind.cast(model);
    }

    /** How many models of {@code kind} this JVM holds. */
    public static int loaded(Class<?> kind) {
        return (int) MODELS.keySet().stream().filter(k -> k.kind() == kind).count();
    }

    private static Device taskDevice() {
        TaskContext task = TaskContext.get();
        ResourceInformation gpu = task == null ? null : task.resourcesJMap().get("gpu");
        if (gpu == null || gpu.addresses().length == 0) {
            return Device.cpu();
        }
        return Device.gpu(Integer.parseInt(gpu.addresses()[0]));
    }
}
