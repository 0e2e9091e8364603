package org.sdspark.model.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class DdpmSchedulerTest {
    private static final Shape BATCH = new Shape(2, 4, 2, 2);

    @Test
    void noisesEachSampleAtItsOwnTimestep() {
        DdpmScheduler ddpm = new DdpmScheduler(Sd15.config());
        NoiseSchedule s = ddpm.schedule();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(new long[] {0, 999});
            NDArray clean = m.ones(BATCH);
            NDArray noise = m.full(BATCH, 2f);
            NDArray noisy = ddpm.addNoise(clean, noise, t);
            assertThat(noisy.getShape()).isEqualTo(BATCH);
            float[] first = noisy.get(0).toFloatArray();
            float[] last = noisy.get(1).toFloatArray();
            assertThat(first[0]).isCloseTo((float) (Math.sqrt(s.alphaCumprod(0)) + 2 * Math.sqrt(1 - s.alphaCumprod(0))), within(1e-6f));
            assertThat(last[15]).isCloseTo((float) (Math.sqrt(s.alphaCumprod(999)) + 2 * Math.sqrt(1 - s.alphaCumprod(999))), within(1e-6f));

            NDArray v = ddpm.velocity(clean, noise, t);
            assertThat(v.get(1).toFloatArray()[3])
                    .isCloseTo((float) (2 * Math.sqrt(s.alphaCumprod(999)) - Math.sqrt(1 - s.alphaCumprod(999))), within(1e-6f));
            assertThat(ddpm.target(clean, noise, t).contentEquals(noise)).isTrue();
            assertThat(ddpm.snr(t).toFloatArray()).containsExactly((float) s.snr(0), (float) s.snr(999));
        }
    }

    @Test
    void vPredictionTargetsTheVelocity() {
        DdpmScheduler ddpm = new DdpmScheduler(Sd15.with("prediction_type", "v_prediction"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(new long[] {10, 500});
            NDArray latents = m.randomNormal(BATCH);
            NDArray noise = m.randomNormal(BATCH);
            NDArray target = ddpm.target(latents, noise, t);
            assertThat(target.contentEquals(ddpm.velocity(latents, noise, t))).isTrue();
            // the noisy sample and the velocity are a rotation of (x0, eps): their norms agree per element
            NDArray noisy = ddpm.addNoise(latents, noise, t);
            NDArray energy = noisy.pow(2).add(target.pow(2));
            NDArray expected = latents.pow(2).add(noise.pow(2));
            assertThat(energy.sub(expected).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @Test
    void rejectsTimestepsOutOfRangeOrNotOnePerSample() {
        DdpmScheduler ddpm = new DdpmScheduler(Sd15.config());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(BATCH);
            assertThatThrownBy(() -> ddpm.addNoise(x, x, m.create(new long[] {0, 1000})))
                    .hasMessageContaining("1000").hasMessageContaining("0..999");
            assertThatThrownBy(() -> ddpm.addNoise(x, x, m.create(new long[] {0, 1, 2})))
                    .hasMessageContaining("3 timesteps for a batch of 2");
        }
    }
}
