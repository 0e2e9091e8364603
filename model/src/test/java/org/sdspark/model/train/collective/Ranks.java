package org.sdspark.model.train.collective;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs one body per rank on its own thread, each rank meeting the others over loopback TCP. */
final class Ranks {

    /** What one rank does with its ring. */
    @FunctionalInterface
    interface Body<T> {
        T run(RingAllReduce ring) throws Exception;
    }

    /** What one rank does once it has met the others' rendezvous. */
    @FunctionalInterface
    interface Joined<T> {
        T run(TcpRendezvous rendezvous) throws Exception;
    }

    private Ranks() {
    }

    /** Each rank's result, or its failure, in rank order. */
    static <T> List<Object> run(int world, WireFormat wire, Duration timeout, Body<T> body) throws Exception {
        return joined(world, timeout, rendezvous -> {
            try (RingAllReduce ring = RingAllReduce.open(rendezvous, "127.0.0.1", wire, timeout, () -> false)) {
                return body.run(ring);
            }
        });
    }

    /** Each rank's result, or its failure, in rank order. */
    static <T> List<Object> joined(int world, Duration timeout, Joined<T> body) throws Exception {
        TcpRendezvous first = new TcpRendezvous(0, world, new InetSocketAddress("127.0.0.1", 0), timeout);
        InetSocketAddress root = first.address();
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    try (TcpRendezvous rendezvous = rank == 0 ? first : new TcpRendezvous(rank, world, root, timeout)) {
                        return body.run(rendezvous);
                    }
                }));
            }
            List<Object> results = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    results.add(e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
