package org.sdspark.jobs.train.distributed;

import ai.djl.Device;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;

/**
 * The device of a training task: the GPU that Spark's resource scheduling assigned to it
 * ({@code spark.task.resource.gpu.amount = 1}), never guessed from CUDA_VISIBLE_DEVICES; the CPU when
 * the task was given none.
 */
final class RankDevice {
    static final String GPU = "gpu";

    private RankDevice() {
    }

    static Device of(Map<String, ResourceInformation> resources) {
        ResourceInformation gpus = resources.get(GPU);
        if (gpus == null || gpus.addresses().length == 0) {
            return Device.cpu();
        }
        if (gpus.addresses().length > 1) {
            throw new IllegalStateException("a training task drives one GPU, but Spark gave it " + gpus.addresses().length
                    + " (" + String.join(", ", gpus.addresses()) + "): set spark.task.resource.gpu.amount = 1");
        }
        String address = gpus.addresses()[0];
        try {
            return Device.gpu(Integer.parseInt(address.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("GPU address '" + address + "' from Spark's resource discovery is not a device index", e);
        }
    }
}
