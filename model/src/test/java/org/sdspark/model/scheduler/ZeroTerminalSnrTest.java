package org.sdspark.model.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/** diffusers' rescale_zero_terminal_snr on SD 1.5's betas (fixtures/train/zero_terminal_snr). */
class ZeroTerminalSnrTest {

    @Test
    void rescaledBetasMatchDiffusersAndEndInPureNoise() throws IOException {
        NoiseSchedule schedule = NoiseSchedule.of(SchedulerConfig.load(Fixtures.path("tiny-sd/scheduler/scheduler_config.json")))
                .rescaledToZeroTerminalSnr();
        try (NDManager m = NDManager.newBaseManager();
             StateDict f = StateDict.load(m, Fixtures.path("train/zero_terminal_snr.safetensors"))) {
            // float32 like diffusers, but the order of a few roundings differs: betas agree to a few ulps
            Parity.assertClose("zero-SNR betas", m.create(schedule.betas()), f.tensors().get("betas"), 1e-5);
            Parity.assertClose("zero-SNR alphas_cumprod", m.create(schedule.alphasCumprod()), f.tensors().get("alphas_cumprod"), 1e-6);
        }
        assertThat(schedule.alphaCumprod(999)).isZero();
        assertThat(schedule.snr(999)).isZero();
    }
}
