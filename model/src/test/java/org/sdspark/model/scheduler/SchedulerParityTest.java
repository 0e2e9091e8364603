package org.sdspark.model.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/**
 * Parity with diffusers on fixtures/schedulers (make_fixtures.py) and fixtures/samplers (Karras
 * sigmas, DPM++ 2M SDE, DDIM with eta, UniPC, LCM; make_ckpt_sampler_fixtures.py): noise tables,
 * DDPM's training quantities and whole trajectories replayed with the fixtures' fake model and
 * recorded noise. Tables must agree to 1e-6 relative, tensors to {@link Parity#FP32_TOLERANCE}.
 * The samplers cases are created by their A1111 label and must resolve to the same sampler from
 * their diffusers class and config.
 */
class SchedulerParityTest {
    private static final double TABLE_TOLERANCE = 1e-6;
    private static final Map<String, String> SAMPLER_BY_CLASS = Map.of(
            "DDIMScheduler", "ddim",
            "EulerDiscreteScheduler", "euler",
            "EulerAncestralDiscreteScheduler", "euler-a",
            "DPMSolverMultistepScheduler", "dpmpp-2m");
    private static final Map<String, Double> WORST = new TreeMap<>();

    static List<JsonNode> cases() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String dir : List.of("schedulers", "samplers")) {
            JsonNode all = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                    .readTree(Fixtures.path(dir + "/cases.json").toFile());
            StreamSupport.stream(all.spliterator(), false).forEach(c -> out.add(((ObjectNode) c).put("dir", dir)));
        }
        return out;
    }

    static List<JsonNode> trainingCases() throws IOException {
        return cases().stream().filter(c -> c.get("kind").asText().equals("training")).toList();
    }

    static List<JsonNode> trajectoryCases() throws IOException {
        return cases().stream().filter(c -> c.get("kind").asText().equals("trajectory")).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainingCases")
    void ddpmMatchesDiffusers(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        DdpmScheduler ddpm = new DdpmScheduler(SchedulerConfig.parse(c.get("config"), "cases.json#" + name));
        try (NDManager m = NDManager.newBaseManager();
             StateDict f = StateDict.load(m, Fixtures.path("schedulers/" + name + ".safetensors"))) {
            Map<String, NDArray> t = f.tensors();
            assertTable(name + " betas", ddpm.schedule().betas(), t.get("betas"));
            assertTable(name + " alphas_cumprod", ddpm.schedule().alphasCumprod(), t.get("alphas_cumprod"));
            NDArray timesteps = t.get("timesteps");
            NDArray original = t.get("original");
            NDArray noise = t.get("noise");
            record(c, Parity.assertClose(name + " add_noise", ddpm.addNoise(original, noise, timesteps), t.get("noisy")));
            record(c, Parity.assertClose(name + " get_velocity", ddpm.velocity(original, noise, timesteps), t.get("velocity")));
            NDArray expectedTarget = ddpm.predictionType() == PredictionType.V_PREDICTION ? t.get("velocity") : noise;
            record(c, Parity.assertClose(name + " target", ddpm.target(original, noise, timesteps), expectedTarget));
            NDArray all = m.arange(0, ddpm.trainSteps()).toType(DataType.INT64, false);
            record(c, Parity.assertClose(name + " snr", ddpm.snr(all), t.get("snr")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trajectoryCases")
    void trajectoryMatchesDiffusers(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        SchedulerConfig config = SchedulerConfig.parse(c.get("config"), "cases.json#" + name);
        int steps = c.get("num_inference_steps").asInt();
        String sampled = c.has("a1111") ? c.get("a1111").asText() : SAMPLER_BY_CLASS.get(c.get("class").asText());
        try (NDManager m = NDManager.newBaseManager();
             StateDict f = StateDict.load(m, Fixtures.path(c.get("dir").asText() + "/" + name + ".safetensors"));
             Sampler sampler = Samplers.create(sampled, config, steps, c.path("eta").asDouble(0))) {
            if (!c.has("sigmas_from")) {
                assertThat(Samplers.resolve(c.get("class").asText(), config)).as(name + " from its class").isEqualTo(sampler.name());
            }
            Map<String, NDArray> t = f.tensors();
            assertTable(name + " alphas_cumprod", NoiseSchedule.of(config).alphasCumprod(), t.get("alphas_cumprod"));
            double[] expectedTimesteps = doubles(c.get("timesteps"));
            if (Arrays.stream(expectedTimesteps).allMatch(v -> v == Math.rint(v))) {
                assertThat(sampler.timesteps()).as(name + " timesteps").containsExactly(expectedTimesteps);
            } else {
                assertTable(name + " timesteps", sampler.timesteps(), t.get("timesteps"));
            }
            if (c.has("sigmas")) {
                double[] sigmas = sampler instanceof EulerSampler e ? e.sigmas()
                        : sampler instanceof UniPcSampler u ? u.sigmas() : ((DpmSolverSampler) sampler).sigmas();
                assertTable(name + " sigmas", sigmas, t.get("sigmas"));
            }
            assertRelative(name + " init_noise_sigma", sampler.initNoiseSigma(), c.get("init_noise_sigma").asDouble());

            NDArray latents = t.get("latents_init").mul(sampler.initNoiseSigma());
            record(c, Parity.assertClose(name + " initial latents", latents, t.get("latents")));
            double[] timesteps = sampler.timesteps();
            for (int k = 0; k < steps; k++) {
                NDArray input = sampler.scaleModelInput(latents, k);
                record(c, Parity.assertClose(name + " step " + k + " model_input", input, t.get("step." + k + ".model_input")));
                NDArray output = fakeModel(input, timesteps[k]);
                record(c, Parity.assertClose(name + " step " + k + " model_output", output, t.get("step." + k + ".model_output")));
                latents = sampler.step(output, k, latents, t.get("step." + k + ".noise"));
                NDArray expected = t.get("step." + k + ".prev_sample");
                if (expected.isNaN().any().getBoolean()) {
                    // diffusers' UniPC bh1 computes B(h)·0 = -inf·0 when the final sigma is 0 (see UniPcSteps)
                    assertThat(latents.isNaN().any().getBoolean()).as(name + " step " + k + " is a number").isFalse();
                    System.out.printf("parity %-40s diffusers gives NaN; sdspark x0%n", name + " step " + k + " prev_sample");
                    continue;
                }
                record(c, Parity.assertClose(name + " step " + k + " prev_sample", latents, expected));
            }
        }
    }

    /** The tiny pipeline's own scheduler_config.json gives the samplers diffusers' pipeline used. */
    @Test
    void pipelineSchedulerConfigGivesThePipelineFixturesTimesteps() throws IOException {
        SchedulerConfig config = SchedulerConfig.load(Fixtures.path("tiny-sd/scheduler/scheduler_config.json"));
        for (JsonNode c : new ObjectMapper().readTree(Fixtures.path("pipeline/cases.json").toFile())) {
            String name = SAMPLER_BY_CLASS.get(c.get("scheduler_class").asText());
            try (Sampler sampler = Samplers.create(name, config, c.get("num_inference_steps").asInt())) {
                assertThat(sampler.timesteps()).as(name).containsExactly(doubles(c.get("timesteps")));
                assertRelative("pipeline " + name + " init_noise_sigma", sampler.initNoiseSigma(),
                        c.get("init_noise_sigma").asDouble());
            }
        }
    }

    /** The fixtures' stand-in for a UNet: eps = 0.5·x·cos(t/1000) + 0.1·sin(t/100). */
    private static NDArray fakeModel(NDArray input, double t) {
        return input.mul(0.5 * Math.cos(t / 1000)).add(0.1 * Math.sin(t / 100));
    }

    private static void assertTable(String what, double[] actual, NDArray expected) {
        float[] e = expected.toFloatArray();
        assertThat(actual).as(what + " length").hasSize(e.length);
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            double err = e[i] == 0 ? Math.abs(actual[i]) : Math.abs(actual[i] - e[i]) / Math.abs(e[i]);
            worst = Math.max(worst, err);
        }
        System.out.printf("parity %-40s max rel.err %.3e%n", what, worst);
        assertThat(worst).as(what + " worst relative error").isLessThanOrEqualTo(TABLE_TOLERANCE);
    }

    private static void assertRelative(String what, double actual, double expected) {
        double err = Math.abs(actual - expected) / Math.abs(expected);
        System.out.printf("parity %-40s rel.err %.3e%n", what, err);
        assertThat(err).as(what).isLessThanOrEqualTo(TABLE_TOLERANCE);
    }

    private static double[] doubles(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asDouble()));
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void record(JsonNode c, double err) {
        String what = c.has("a1111") ? c.get("a1111").asText() + (c.path("eta").asDouble() > 0 ? " (eta > 0)" : "")
                : c.get("class").asText();
        WORST.merge(what, err, Math::max);
    }

    @AfterAll
    static void printWorst() {
        WORST.forEach((cls, err) -> System.out.printf("parity worst %-36s rel.err %.3e%n", cls, err));
    }
}
