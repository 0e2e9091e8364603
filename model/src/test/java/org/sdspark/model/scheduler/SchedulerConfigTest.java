package org.sdspark.model.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerConfigTest {
    @TempDir
    Path dir;

    @Test
    void loadsTheSd15PndmConfig() throws IOException {
        Path file = Files.writeString(dir.resolve("scheduler_config.json"), Sd15.PNDM_CONFIG);
        SchedulerConfig c = SchedulerConfig.load(file);
        assertThat(c.className()).isEqualTo("PNDMScheduler");
        assertThat(c.numTrainTimesteps()).isEqualTo(1000);
        assertThat(c.betaStart()).isEqualTo(0.00085);
        assertThat(c.betaEnd()).isEqualTo(0.012);
        assertThat(c.betaSchedule()).isEqualTo(BetaSchedule.SCALED_LINEAR);
        assertThat(c.predictionType()).isEqualTo(PredictionType.EPSILON);
        assertThat(c.stepsOffset()).isEqualTo(1);
        assertThat(c.setAlphaToOne()).isFalse();
        assertThat(c.clipSample()).isFalse();
        // unset: each sampler falls back to its diffusers class default
        assertThat(c.timestepSpacing()).isEmpty();
        assertThat(c.timestepSpacingOr(TimestepSpacing.LINSPACE)).isEqualTo(TimestepSpacing.LINSPACE);
    }

    @Test
    void absentKeysTakeDiffusersDefaults() {
        SchedulerConfig c = SchedulerConfig.parse("{}", "empty.json");
        assertThat(c.numTrainTimesteps()).isEqualTo(1000);
        assertThat(c.betaSchedule()).isEqualTo(BetaSchedule.LINEAR);
        assertThat(c.betaStart()).isEqualTo(0.0001);
        assertThat(c.betaEnd()).isEqualTo(0.02);
        assertThat(c.setAlphaToOne()).isTrue();
        assertThat(c.clipSample()).isTrue();
        assertThat(c.clipSampleRange()).isEqualTo(1.0);
    }

    @Test
    void readsAFullDiffusersDpmSolverConfigWithInfinity() {
        SchedulerConfig c = SchedulerConfig.parse("""
                {"_class_name": "DPMSolverMultistepScheduler", "algorithm_type": "dpmsolver++", "solver_order": 2,
                 "beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012,
                 "prediction_type": "v_prediction", "timestep_spacing": "trailing", "lambda_min_clipped": -Infinity,
                 "use_karras_sigmas": false, "final_sigmas_type": "zero", "variance_type": null,
                 "_use_default_values": ["solver_type"]}
                """, "dpm.json");
        assertThat(c.predictionType()).isEqualTo(PredictionType.V_PREDICTION);
        assertThat(c.timestepSpacing()).contains(TimestepSpacing.TRAILING);
    }

    @Test
    void unsupportedValuesNameTheKeyAndTheFile() {
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"beta_schedule\": \"sigmoid\"}", "m/scheduler_config.json"))
                .isInstanceOf(SchedulerConfigException.class)
                .hasMessageContaining("m/scheduler_config.json")
                .hasMessageContaining("'beta_schedule'")
                .hasMessageContaining("linear, scaled_linear, squaredcos_cap_v2");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"prediction_type\": \"flow_prediction\"}", "a.json"))
                .hasMessageContaining("'prediction_type'");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"timestep_spacing\": \"uniform\"}", "a.json"))
                .hasMessageContaining("'timestep_spacing'");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"steps_offset\": 1.5}", "a.json"))
                .hasMessageContaining("'steps_offset'").hasMessageContaining("integer");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"beta_end\": 2}", "a.json"))
                .hasMessageContaining("'beta_end'");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"use_exponential_sigmas\": true}", "k.json"))
                .hasMessageContaining("k.json").hasMessageContaining("'use_exponential_sigmas'");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"algorithm_type\": \"deis\"}", "d.json"))
                .hasMessageContaining("d.json").hasMessageContaining("'algorithm_type'").hasMessageContaining("sde-dpmsolver++");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"trained_betas\": [0.1, 0.2]}", "b.json"))
                .hasMessageContaining("'trained_betas'");
        assertThatThrownBy(() -> SchedulerConfig.parse("[1]", "x.json")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> SchedulerConfig.parse("{", "x.json")).hasMessageContaining("x.json");
        assertThatThrownBy(() -> SchedulerConfig.load(dir.resolve("missing.json")))
                .hasMessageContaining("missing.json");
    }
}
