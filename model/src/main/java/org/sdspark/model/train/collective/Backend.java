package org.sdspark.model.train.collective;

import ai.djl.Device;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/** Which collective carries a run's gradients. */
public enum Backend {
    /** NCCL where the rank has a GPU, the TCP ring where it has not. */
    AUTO,
    NCCL,
    RING;

    /**
     * Joins the other ranks: {@code host} is where they reach this rank (ring), {@code cancelled} is
     * polled during every wait (a killed task).
     */
    public Communicator open(Rendezvous rendezvous, String host, Device device, CollectiveSettings settings,
                             BooleanSupplier cancelled) throws IOException {
        boolean nccl = this == NCCL || this == AUTO && device.isGpu();
        if (nccl && !device.isGpu()) {
            throw new IllegalArgumentException("backend nccl needs a GPU, but rank " + rendezvous.rank() + " runs on " + device
                    + ": give each task one (spark.executor.resource.gpu.amount, spark.task.resource.gpu.amount = 1)"
                    + " or use backend ring");
        }
        return nccl ? NcclCollective.open(rendezvous, device, settings, cancelled)
                : RingCollective.open(rendezvous, host, settings, cancelled);
    }
}
