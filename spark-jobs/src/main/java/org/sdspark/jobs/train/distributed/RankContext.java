package org.sdspark.jobs.train.distributed;

import ai.djl.Device;
import java.util.function.BooleanSupplier;
import org.sdspark.model.train.collective.Communicator;
import org.sdspark.model.train.collective.Rendezvous;

/**
 * One rank of a distributed run: its device (the GPU Spark gave the task, or the CPU), the
 * communicator to the other ranks, the rendezvous it was made through (for agreeing on small
 * things such as the checkpoint to resume from), which attempt of the stage this is, and whether
 * the task has been cancelled.
 */
public record RankContext(int rank, int worldSize, Device device, Communicator communicator, Rendezvous rendezvous,
                          int attempt, BooleanSupplier cancelled) {

    /** Rank 0 writes checkpoints, metrics and exports. */
    public boolean leader() {
        return rank == 0;
    }
}
