package org.sdspark.model.train.collective;

import java.util.List;

/**
 * How the processes of one run first find each other: every rank contributes one message and gets
 * every rank's, in rank order. Spark's barrier tasks meet through {@code BarrierTaskContext.allGather};
 * processes started without Spark through {@link TcpRendezvous}.
 */
public interface Rendezvous {

    int rank();

    int worldSize();

    /** Every rank's {@code message}, indexed by rank; blocks until all ranks have called it. */
    List<String> allGather(String message);
}
