package org.sdspark.model.scheduler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Scheduler configs as real checkpoints ship them. */
final class Sd15 {
    /** runwayml/stable-diffusion-v1-5 scheduler/scheduler_config.json. */
    static final String PNDM_CONFIG = """
            {
              "_class_name": "PNDMScheduler",
              "_diffusers_version": "0.6.0",
              "beta_end": 0.012,
              "beta_schedule": "scaled_linear",
              "beta_start": 0.00085,
              "num_train_timesteps": 1000,
              "set_alpha_to_one": false,
              "skip_prk_steps": true,
              "steps_offset": 1,
              "trained_betas": null,
              "clip_sample": false
            }
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Sd15() {
    }

    static SchedulerConfig config() {
        return SchedulerConfig.parse(PNDM_CONFIG, "sd15/scheduler_config.json");
    }

    /** The SD 1.5 config with keys set (key, value, key, value, ...). */
    static SchedulerConfig with(Object... keysAndValues) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(PNDM_CONFIG);
            for (int i = 0; i < keysAndValues.length; i += 2) {
                node.set((String) keysAndValues[i], JSON.valueToTree(keysAndValues[i + 1]));
            }
            return SchedulerConfig.parse(node, "test.json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
