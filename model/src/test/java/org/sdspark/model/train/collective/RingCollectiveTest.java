package org.sdspark.model.train.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CPU backend on DJL tensors: buckets smaller than the tensor, float16 tensors, replica checks. */
class RingCollectiveTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** What one rank does with its communicator and a manager of its own. */
    interface Body {
        Object run(RingCollective collective, NDManager manager) throws Exception;
    }

    static List<Object> ranks(int world, CollectiveSettings settings, Body body) throws Exception {
        return Ranks.joined(world, TIMEOUT, rendezvous -> {
            try (NDManager manager = NDManager.newBaseManager();
                 RingCollective collective = RingCollective.open(rendezvous, "127.0.0.1", settings, () -> false)) {
                return body.run(collective, manager);
            }
        });
    }

    @Test
    void meanOfTensorsLargerThanABucketInFloat32AndFloat16() throws Exception {
        CollectiveSettings settings = new CollectiveSettings(WireFormat.FP32, 4 * 1000, TIMEOUT);
        List<Object> results = ranks(2, settings, (collective, manager) -> {
            NDArray values = manager.arange(0f, 2500f).add(collective.rank() * 10_000f);
            collective.allReduceMean(values);
            NDArray half = manager.full(new ai.djl.ndarray.types.Shape(3000), collective.rank() + 1f, DataType.FLOAT16);
            collective.allReduceMean(half);
            assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
            return new float[][] {values.toFloatArray(), half.toType(DataType.FLOAT32, false).toFloatArray()};
        });
        for (Object result : results) {
            float[][] r = (float[][]) result;
            for (int i = 0; i < 2500; i++) {
                assertThat(r[0][i]).isEqualTo(i + 5000f);
            }
            assertThat(r[1]).containsOnly(1.5f);
        }
    }

    @Test
    void replicasWhoseWeightsPartedAreNamedOnEveryRank() throws Exception {
        CollectiveSettings settings = new CollectiveSettings(WireFormat.FP32, 1 << 20, TIMEOUT);
        List<Object> results = ranks(3, settings, (collective, manager) -> {
            NDArray weights = manager.arange(0f, 10_000f).div(7f);
            ReplicaCheck.verify(collective, weights, 10); // identical: passes
            if (collective.rank() == 2) {
                weights.set(new ai.djl.ndarray.index.NDIndex("0"), 123f);
            }
            assertThatThrownBy(() -> ReplicaCheck.verify(collective, weights, 20))
                    .hasMessageContaining("after step 20 the weights of rank [2] differ from rank 0's");
            return "checked";
        });
        assertThat(results).containsOnly("checked");
    }
}
