package org.sdspark.jobs.train.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceID;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.resource.ResourceRequest;
import org.junit.jupiter.api.Test;

/** GPU discovery output and the device a task trains on. */
class NvidiaGpuDiscoveryTest {

    @Test
    void readsTheIndicesNvidiaSmiPrints() {
        assertThat(NvidiaGpuDiscovery.indices("0\n1\n\n7\r\n")).containsExactly("0", "1", "7");
        assertThatThrownBy(() -> NvidiaGpuDiscovery.indices("NVIDIA-SMI has failed\n"))
                .hasMessageContaining("'NVIDIA-SMI has failed' where a GPU index was expected");
    }

    @Test
    void leavesOtherResourcesToTheNextPlugin() {
        ResourceRequest fpga = new ResourceRequest(new ResourceID("spark.executor", "fpga"), 1, Optional.empty(), Optional.empty());
        assertThat(new NvidiaGpuDiscovery().discoverResource(fpga, new SparkConf())).isEmpty();
    }

    @Test
    void aTaskTrainsOnTheGpuSparkGaveItOrOnTheCpu() {
        assertThat(RankDevice.of(Map.of())).isEqualTo(Device.cpu());
        assertThat(RankDevice.of(Map.of("gpu", new ResourceInformation("gpu", new String[] {"3"})))).isEqualTo(Device.gpu(3));
        assertThatThrownBy(() -> RankDevice.of(Map.of("gpu", new ResourceInformation("gpu", new String[] {"0", "1"}))))
                .hasMessageContaining("spark.task.resource.gpu.amount = 1");
    }
}
