package org.sdspark.jobs.caption;

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
import org.sdspark.model.blip.BlipCaptioner;

/**
 * One captioning model per executor JVM and device, loaded by the first task that needs it and
 * shared by every later task (models are read-only; concurrent tasks each work in their own
 * scope). Models live as long as the executor.
 */
final class ExecutorModels {
    private static final Map<Key, BlipCaptioner> MODELS = new ConcurrentHashMap<>();

    private record Key(String folder, String device, DataType type) {
    }

    private ExecutorModels() {
    }

    /**
     * The model for this task: on the GPU Spark assigned to it, if any, else on the CPU, where
     * PyTorch then uses the task's {@code spark.task.cpus} threads.
     */
    static BlipCaptioner forTask(String folder, String dtype) {
        Device device = taskDevice();
        DataType type = switch (dtype) {
            case "float16" -> DataType.FLOAT16;
            case "float32" -> DataType.FLOAT32;
            default -> device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
        };
        BlipCaptioner model = MODELS.computeIfAbsent(new Key(folder, device.toString(), type), k -> {
            try {
                return BlipCaptioner.load(Path.of(folder), device, type);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the captioning model " + folder, e);
            }
        });
        if (!device.isGpu() && TaskContext.get() != null) {
            // An executor runs one task per core at once; PyTorch's default of one thread per core in
            // each of them oversubscribes the cores, and spinning threads make small kernels crawl.
            // The setting is the calling thread's (OpenMP), so each task thread makes it.
            JniUtils.setNumThreads(TaskContext.get().cpus());
        }
        return model;
    }

    /** How many models this JVM holds. */
    static int loaded() {
        return MODELS.size();
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
