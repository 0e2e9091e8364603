package org.sdspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.model.train.Precision;
import org.sdspark.model.train.collective.Backend;
import org.sdspark.model.train.collective.WireFormat;

class TrainConfigTest {
    private static final List<String> REQUIRED = List.of("sdspark.train.model=m", "sdspark.train.dataset=d",
            "sdspark.train.output=o");

    private static TrainConfig read(String... sets) {
        List<String> all = new ArrayList<>(REQUIRED);
        all.addAll(List.of(sets));
        return TrainConfig.from(ConfigLoader.load(Optional.empty(), all));
    }

    @Test
    void readsEveryKeyWithTheReferenceDefaults() {
        TrainConfig c = read("sdspark.train.distributed.workers=4", "sdspark.train.distributed.all-reduce-precision=fp16",
                "sdspark.train.distributed.timeout=90s", "sdspark.train.gradient-accumulation=2", "sdspark.train.batch-size=3",
                "sdspark.train.mixed-precision=fp16", "sdspark.train.lr-scheduler=cosine-with-restarts");
        assertThat(c.distributed().workers()).isEqualTo(4);
        assertThat(c.distributed().backend()).isEqualTo(Backend.AUTO);
        assertThat(c.distributed().collective().wire()).isEqualTo(WireFormat.FP16);
        assertThat(c.distributed().collective().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.distributed().collective().bucketBytes()).isEqualTo(25L << 20);
        assertThat(c.globalBatch()).isEqualTo(3 * 4 * 2);
        assertThat(c.planSettings(4).globalBatchSize()).isEqualTo(12);
        assertThat(c.trainingSettings().precision()).isEqualTo(Precision.FP16);
        assertThat(c.trainingSettings().totalSteps()).isEqualTo(1000);
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> read("sdspark.train.distributed.backend=mpi")).isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("sdspark.train.distributed.backend").hasMessageContaining("one of auto, nccl, ring");
        assertThatThrownBy(() -> read("sdspark.train.distributed.workers=0"))
                .hasMessageContaining("sdspark.train.distributed.workers").hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> read("sdspark.train.distributed.timeout=0s"))
                .hasMessageContaining("sdspark.train.distributed.timeout");
        assertThatThrownBy(() -> read("sdspark.train.mixed-precision=bf16")).hasMessageContaining("bf16 is not available");
        assertThatThrownBy(() -> TrainConfig.from(ConfigLoader.load(Optional.empty(), List.of("sdspark.train.model=m"))))
                .hasMessageContaining("sdspark.train.dataset").hasMessageContaining("required");
    }
}
