package org.sdspark.model.train.collective;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ring on loopback TCP, one thread per rank: results, fp16 wire, and every way a peer can fail. */
class RingAllReduceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static float[] values(int rank, int length) {
        SplittableRandom random = new SplittableRandom(rank * 31L + length);
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    @Test
    void everyRankGetsTheSameMeanForAnyLength() throws Exception {
        int world = 3;
        for (int length : new int[] {1, 2, 1001}) {
            List<Object> results = Ranks.run(world, WireFormat.FP32, TIMEOUT, ring -> {
                float[] v = values(ring.rank(), length);
                ring.allReduceMean(v);
                return v;
            });
            for (int i = 0; i < length; i++) {
                double mean = 0;
                for (int r = 0; r < world; r++) {
                    mean += values(r, length)[i] / (double) world;
                }
                assertThat((double) ((float[]) results.get(0))[i]).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-6));
            }
            assertThat(results.get(1)).isEqualTo(results.get(0));
            assertThat(results.get(2)).isEqualTo(results.get(0));
        }
    }

    @Test
    void halfPrecisionOnTheWireKeepsRanksIdenticalAndCloseToTheMean() throws Exception {
        List<Object> results = Ranks.run(2, WireFormat.FP16, TIMEOUT, ring -> {
            float[] v = values(ring.rank(), 500);
            ring.allReduceMean(v);
            return v;
        });
        float[] reduced = (float[]) results.get(0);
        assertThat(results.get(1)).isEqualTo(reduced);
        float[] a = values(0, 500);
        float[] b = values(1, 500);
        for (int i = 0; i < reduced.length; i++) {
            float mean = (a[i] + b[i]) / 2;
            assertThat(reduced[i]).isCloseTo(mean, org.assertj.core.data.Offset.offset(2e-3f * Math.max(1, Math.abs(mean))));
        }
    }

    @Test
    void broadcastGivesEveryRankTheRootsValues() throws Exception {
        List<Object> results = Ranks.run(3, WireFormat.FP16, TIMEOUT, ring -> {
            float[] v = values(ring.rank(), 77);
            ring.broadcast(v, 1);
            ring.barrier();
            return v;
        });
        assertThat(results).allSatisfy(v -> assertThat(v).isEqualTo(values(1, 77)));
    }

    @Test
    void aRankThatNeverArrivesIsNamedWithinTheTimeout() throws Exception {
        long start = System.nanoTime();
        Throwable error = null;
        try (TcpRendezvous alone = new TcpRendezvous(0, 2, new java.net.InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(1))) {
            RingAllReduce.open(alone, "127.0.0.1", WireFormat.FP32, Duration.ofSeconds(1), () -> false);
        } catch (CollectiveException e) {
            error = e;
        }
        assertThat(error).hasMessageContaining("rank 1 of 2 did not arrive at the rendezvous").hasMessageContaining("within 1 s");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
    }

    @Test
    void aRankThatDiesMidRunIsNamedByTheOthersAtOnce() throws Exception {
        long start = System.nanoTime();
        List<Object> results = Ranks.run(3, WireFormat.FP32, TIMEOUT, ring -> {
            ring.allReduceMean(values(ring.rank(), 10));
            if (ring.rank() == 2) {
                ring.close(); // what the operating system does for a killed process
                return "gone";
            }
            ring.allReduceMean(values(ring.rank(), 10));
            return "survived";
        });
        assertThat((Throwable) results.get(0)).hasMessageContaining("rank 2");
        assertThat((Throwable) results.get(1)).hasMessageContaining("rank 2");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(TIMEOUT.toSeconds() / 2.0);
    }

    @Test
    void aRankThatHangsIsNamedWhenTheTimeoutPasses() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        List<Object> results = Ranks.run(3, WireFormat.FP32, timeout, ring -> {
            if (ring.rank() == 1) {
                Thread.sleep(2000);
                return "asleep";
            }
            ring.allReduceMean(values(ring.rank(), 10));
            return "done";
        });
        assertThat((Throwable) results.get(2)).hasMessageContaining("waited 1 s in operation 0 for rank 1")
                .hasMessageContaining("hung or is gone");
        assertThat((Throwable) results.get(0)).hasMessageContaining("for rank 1").hasMessageContaining("hung or is gone");
    }

    @Test
    void anAbortReachesEveryRankWithItsReason() throws Exception {
        List<Object> results = Ranks.run(3, WireFormat.FP32, TIMEOUT, ring -> {
            if (ring.rank() == 0) {
                ring.abort("the loss went NaN");
                return "aborted";
            }
            ring.allReduceMean(values(ring.rank(), 10));
            return "done";
        });
        assertThat((Throwable) results.get(1)).hasMessage("rank 0 aborted the run: the loss went NaN");
        assertThat((Throwable) results.get(2)).hasMessage("rank 0 aborted the run: the loss went NaN");
    }
}
