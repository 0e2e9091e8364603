package org.sdspark.model.train.collective;

import org.sdspark.model.train.Collective;

/** A {@link Collective} across processes: says what carries it and how long its all-reduces took. */
public interface Communicator extends Collective, AutoCloseable {

    /** For logs: the backend and where it runs, e.g. "NCCL 2.27.3 on gpu(1)". */
    String describe();

    /**
     * Seconds spent in {@link #allReduceMean} since the previous call, waiting for slower ranks
     * included; for a {@link org.sdspark.model.train.GradientReducer}, the GPU time it adds after
     * backward's last kernel (what backward did not hide).
     */
    double takeAllReduceSeconds();

    @Override
    void close();
}
