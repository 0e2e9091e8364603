package org.sdspark.model.train.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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

    private Ranks() {
    }

    static InetSocketAddress freeAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
    }

    /** Each rank's result, or its failure, in rank order. */
    static <T> List<Object> run(int world, WireFormat wire, Duration timeout, Body<T> body) throws Exception {
        InetSocketAddress root = freeAddress();
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    try (TcpRendezvous rendezvous = new TcpRendezvous(rank, world, root, timeout);
                         RingAllReduce ring = RingAllReduce.open(rendezvous, "127.0.0.1", wire, timeout, () -> false)) {
                        return body.run(ring);
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
