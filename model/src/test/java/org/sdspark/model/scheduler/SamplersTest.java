package org.sdspark.model.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.sdspark.model.testing.Parity;

class SamplersTest {
    private static final Shape LATENT = new Shape(1, 4, 8, 8);

    @Test
    void sd15TimestepsFollowEachSchedulersDefaultSpacing() {
        SchedulerConfig sd15 = Sd15.config();
        assertThat(Samplers.create("ddim", sd15, 10).timesteps())
                .containsExactly(901, 801, 701, 601, 501, 401, 301, 201, 101, 1);
        assertThat(Samplers.create("euler", sd15, 10).timesteps())
                .containsExactly(999, 888, 777, 666, 555, 444, 333, 222, 111, 0);
        assertThat(Samplers.create("euler-a", sd15, 25).timesteps()[1]).isEqualTo(957.375);
        assertThat(Samplers.create("dpmpp-2m", sd15, 10).timesteps())
                .containsExactly(999, 899, 799, 699, 599, 500, 400, 300, 200, 100);
        // leading over n + 1 points: 1000 // 11 = 90, plus steps_offset
        assertThat(Samplers.create("dpmpp-2m", Sd15.with("timestep_spacing", "leading"), 10).timesteps())
                .containsExactly(901, 811, 721, 631, 541, 451, 361, 271, 181, 91);
    }

    @Test
    void eulerSigmasRunFromSigmaMaxToZero() {
        NoiseSchedule schedule = NoiseSchedule.of(Sd15.config());
        EulerSampler euler = (EulerSampler) Samplers.create("euler", Sd15.config(), 10);
        double[] sigmas = euler.sigmas();
        assertThat(sigmas).hasSize(11);
        assertThat(sigmas[0]).isCloseTo(14.6146, within(1e-3));
        assertThat(sigmas[1]).isEqualTo(schedule.sigma(888));
        assertThat(sigmas[10]).isZero();
        assertThat(euler.initNoiseSigma()).isEqualTo(sigmas[0]);
        // leading never reaches t = 999, so the initial noise is scaled as a unit-variance sample at sigma(901)
        Sampler leading = Samplers.create("euler", Sd15.with("timestep_spacing", "leading"), 10);
        assertThat(leading.initNoiseSigma()).isCloseTo(Math.hypot(schedule.sigma(901), 1), within(1e-5));
    }

    /**
     * With a model that knows the clean sample x0 and the noise eps that made the starting
     * latents, an exact sampler stays on the noising path step after step and ends at x0.
     */
    @Test
    void everyDeterministicSamplerWalksAnExactDenoiserBackToTheCleanSample() {
        for (String prediction : new String[] {"epsilon", "v_prediction"}) {
            SchedulerConfig config = Sd15.with("timestep_spacing", "trailing", "set_alpha_to_one", true,
                    "prediction_type", prediction);
            NoiseSchedule schedule = NoiseSchedule.of(config);
            for (String name : new String[] {"ddim", "euler", "euler-karras", "dpmpp-2m", "dpmpp-2m-karras", "unipc",
                    "unipc-karras"}) {
                try (NDManager m = NDManager.newBaseManager(); Sampler s = Samplers.create(name, config, 10)) {
                    NDArray x0 = m.randomNormal(LATENT);
                    NDArray eps = m.randomNormal(LATENT);
                    double a = alphaBar(s, 0, schedule);
                    boolean varianceExploding = s instanceof EulerSampler;
                    NDArray x = x0.mul(Math.sqrt(a)).add(eps.mul(Math.sqrt(1 - a)));
                    if (varianceExploding) {
                        x = x.div(Math.sqrt(a));
                    }
                    for (int k = 0; k < s.steps(); k++) {
                        double at = alphaBar(s, k, schedule);
                        NDArray out = prediction.equals("epsilon") ? eps
                                : eps.mul(Math.sqrt(at)).sub(x0.mul(Math.sqrt(1 - at)));
                        x = s.step(out, k, x, null);
                    }
                    assertThat(Parity.relativeError(x, x0)).as(name + " " + prediction).isLessThan(1e-5);
                }
            }
        }
    }

    /**
     * Stochastic samplers fed the exact noise of the current latents (an ideal epsilon model)
     * must put in fresh noise at exactly the level the next step expects, and end on the clean sample.
     */
    @Test
    void stochasticSamplersKeepTheNoiseLevelOnScheduleAndLandOnTheCleanSample() {
        SchedulerConfig config = Sd15.with("timestep_spacing", "trailing", "set_alpha_to_one", true);
        NoiseSchedule schedule = NoiseSchedule.of(config);
        Shape shape = new Shape(1, 4, 64, 64);
        Engine.getInstance().setRandomSeed(11);
        for (String name : new String[] {"ddim", "dpmpp-2m-sde", "dpmpp-2m-sde-karras", "euler-a-karras", "lcm"}) {
            try (NDManager m = NDManager.newBaseManager();
                 Sampler s = Samplers.create(name, config, 8, name.equals("ddim") ? 1.0 : 0)) {
                assertThat(s.needsNoise()).as(name).isTrue();
                boolean varianceExploding = s instanceof EulerSampler;
                NDArray x0 = m.randomNormal(shape);
                NDArray x = x0.add(m.randomNormal(shape).mul(s.initNoiseSigma()));
                if (!varianceExploding) {
                    double a = alphaBar(s, 0, schedule);
                    x = x0.mul(Math.sqrt(a)).add(m.randomNormal(shape).mul(Math.sqrt(1 - a)));
                }
                for (int k = 0; k < s.steps(); k++) {
                    double a = alphaBar(s, k, schedule);
                    double signal = varianceExploding ? 1 : Math.sqrt(a);
                    double level = varianceExploding ? Math.sqrt((1 - a) / a) : Math.sqrt(1 - a);
                    NDArray residual = x.sub(x0.mul(signal));
                    double std = residual.pow(2).mean().sqrt().getFloat();
                    assertThat(std / level).as("%s noise level at step %d", name, k).isCloseTo(1, within(0.03));
                    x = s.step(residual.div(level), k, x, m.randomNormal(shape));
                }
                assertThat(Parity.relativeError(x, x0)).as(name).isLessThan(1e-5);
            }
        }
    }

    /** alpha-bar where the sampler is at step k: from its sigmas where it has them (Karras sigmas lie between timesteps). */
    private static double alphaBar(Sampler s, int k, NoiseSchedule schedule) {
        double[] sigmas = s instanceof EulerSampler e ? e.sigmas() : s instanceof DpmSolverSampler d ? d.sigmas()
                : s instanceof UniPcSampler u ? u.sigmas() : null;
        return sigmas == null ? schedule.alphaCumprod((int) s.timesteps()[k]) : 1 / (1 + sigmas[k] * sigmas[k]);
    }

    @Test
    void samplersAreNamedAsA1111AndDiffusersUsersKnowThem() {
        assertThat(Samplers.resolve("DPM++ 2M Karras", Sd15.config())).isEqualTo("dpmpp-2m-karras");
        assertThat(Samplers.resolve("DPM++ 2M SDE Karras", Sd15.config())).isEqualTo("dpmpp-2m-sde-karras");
        assertThat(Samplers.resolve("Euler a", Sd15.config())).isEqualTo("euler-a");
        assertThat(Samplers.resolve("UniPC", Sd15.config())).isEqualTo("unipc");
        assertThat(Samplers.resolve("dpmpp_2m", Sd15.config())).isEqualTo("dpmpp-2m");
        SchedulerConfig sdeKarras = Sd15.with("algorithm_type", "sde-dpmsolver++", "use_karras_sigmas", true);
        assertThat(Samplers.resolve("DPMSolverMultistepScheduler", sdeKarras)).isEqualTo("dpmpp-2m-sde-karras");
        assertThat(Samplers.resolve("DPMSolverMultistepScheduler", Sd15.config())).isEqualTo("dpmpp-2m");
        assertThat(Samplers.resolve("EulerDiscreteScheduler", sdeKarras)).isEqualTo("euler-karras");
        // diffusers' ancestral Euler has no Karras option, so its config key is not read
        assertThat(Samplers.resolve("EulerAncestralDiscreteScheduler", sdeKarras)).isEqualTo("euler-a");
        // a name is the whole algorithm, whatever the config's variant keys say
        assertThat(Samplers.create("dpmpp-2m", sdeKarras, 10).name()).isEqualTo("dpmpp-2m");
        assertThatThrownBy(() -> Samplers.resolve("DPMSolverMultistepScheduler", Sd15.with("solver_order", 3)))
                .hasMessageContaining("solver_order 3");
        assertThatThrownBy(() -> Samplers.create("euler", Sd15.config(), 10, 0.5)).hasMessageContaining("eta is DDIM's");
        assertThatThrownBy(() -> Samplers.create("ddim", Sd15.config(), 10, 1.5)).hasMessageContaining("[0, 1]");
        assertThat(Samplers.isKnown("LCMScheduler")).isTrue();
        assertThat(Samplers.isKnown("PNDMScheduler")).isFalse();
    }

    /** Ancestral noise must keep the latents' noise level at each step's sigma. */
    @Test
    void eulerAncestralKeepsTheNoiseLevelOnSchedule() {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            EulerSampler s = (EulerSampler) Samplers.create("euler-a", Sd15.config(), 10);
            double[] sigmas = s.sigmas();
            Shape shape = new Shape(1, 4, 64, 64);
            NDArray x0 = m.randomNormal(shape);
            NDArray x = x0.add(m.randomNormal(shape).mul(s.initNoiseSigma()));
            for (int k = 0; k < s.steps(); k++) {
                double std = x.sub(x0).pow(2).mean().sqrt().getFloat();
                assertThat(std / sigmas[k]).as("noise level at step %d", k).isCloseTo(1, within(0.03));
                NDArray exactEps = x.sub(x0).div(sigmas[k]);
                x = s.step(exactEps, k, x, m.randomNormal(shape));
            }
            assertThat(Parity.relativeError(x, x0)).isLessThan(1e-5);
        }
    }

    @Test
    void ddimClipsThePredictedCleanSampleWhenConfigured() {
        NoiseSchedule schedule = NoiseSchedule.of(Sd15.config());
        for (double range : new double[] {1.0, 2.0}) {
            // clip_sample defaults to true when the config does not say
            SchedulerConfig config = Sd15.with("clip_sample", true, "clip_sample_range", range, "set_alpha_to_one", true,
                    "timestep_spacing", "trailing");
            try (NDManager m = NDManager.newBaseManager()) {
                Sampler s = Samplers.create("ddim", config, 1);
                double a = schedule.alphaCumprod(999);
                NDArray eps = m.randomNormal(LATENT);
                NDArray x = m.full(LATENT, 3f).mul(Math.sqrt(a)).add(eps.mul(Math.sqrt(1 - a)));
                NDArray out = s.step(eps, 0, x, null);
                assertThat(out.sub(range).abs().max().getFloat()).isLessThan(1e-5f);
            }
        }
    }

    @Test
    void stepsFreeTheirIntermediatesAndDpmKeepsOnlyItsLastPrediction() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (String name : Samplers.NAMES) {
                try (NDManager run = m.newSubManager(); Sampler s = Samplers.create(name, Sd15.config(), 6)) {
                    NDArray x = run.randomNormal(LATENT).mul(s.initNoiseSigma());
                    int before = ((BaseNDManager) run).getManagedArrays().size();
                    for (int k = 0; k < s.steps(); k++) {
                        NDArray input = s.scaleModelInput(x, k);
                        NDArray out = input.mul(0.5);
                        NDArray noise = s.needsNoise() ? run.randomNormal(LATENT) : null;
                        NDArray next = s.step(out, k, x, noise);
                        for (NDArray done : new NDArray[] {input, out, noise, x}) {
                            if (done != null) {
                                done.close();
                            }
                        }
                        x = next;
                    }
                    assertThat(((BaseNDManager) run).getManagedArrays()).as(name).hasSize(before);
                }
            }
        }
    }

    /** As diffusers does, half-precision latents are stepped in float32 and only the result is rounded. */
    @Test
    void halfPrecisionLatentsAreSteppedInFloat32() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (String name : Samplers.NAMES) {
                NDArray x = m.randomNormal(LATENT).mul(10).toType(DataType.FLOAT16, false);
                NDArray output = m.randomNormal(LATENT).toType(DataType.FLOAT16, false);
                // (diffusers scales ancestral noise in its own dtype; zero noise keeps that out of the comparison)
                NDArray noise = m.zeros(LATENT, DataType.FLOAT16);
                try (Sampler half = Samplers.create(name, Sd15.config(), 4);
                     Sampler full = Samplers.create(name, Sd15.config(), 4)) {
                    assertThat(half.scaleModelInput(x, 0).getDataType()).as(name).isEqualTo(DataType.FLOAT16);
                    NDArray next = half.step(output, 0, x, noise);
                    NDArray reference = full.step(output.toType(DataType.FLOAT32, false), 0,
                            x.toType(DataType.FLOAT32, false), noise.toType(DataType.FLOAT32, false));
                    assertThat(next.getDataType()).as(name).isEqualTo(DataType.FLOAT16);
                    assertThat(next.contentEquals(reference.toType(DataType.FLOAT16, false))).as(name).isTrue();
                }
            }
        }
    }

    @Test
    void misuseIsRejectedClearly() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(LATENT);
            try (Sampler dpm = Samplers.create("dpmpp-2m", Sd15.config(), 5)) {
                assertThatThrownBy(() -> dpm.step(x, 1, x, null))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("in order");
            }
            Sampler ancestral = Samplers.create("euler-a", Sd15.config(), 5);
            assertThatThrownBy(() -> ancestral.step(x, 0, x, null)).hasMessageContaining("noise");
            assertThatThrownBy(() -> ancestral.scaleModelInput(x, 5)).hasMessageContaining("0..4");
            assertThatThrownBy(() -> Samplers.create("dpmpp-2m", Sd15.config(), 1000)).hasMessageContaining("1..999");
            assertThatThrownBy(() -> Samplers.create("ddim", Sd15.config(), 0)).hasMessageContaining("got 0");
            assertThatThrownBy(() -> Samplers.create("plms", Sd15.config(), 5))
                    .hasMessageContaining("plms").hasMessageContaining("dpmpp-2m");
        }
    }
}
