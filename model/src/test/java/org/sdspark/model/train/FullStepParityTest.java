package org.sdspark.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sdspark.model.testing.Parity.TRAINING_TOLERANCE;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdspark.model.scheduler.DdpmScheduler;
import org.sdspark.model.scheduler.NoiseSchedule;
import org.sdspark.model.scheduler.PredictionType;
import org.sdspark.model.scheduler.SchedulerConfig;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;
import org.sdspark.model.train.loss.DiffusionLoss;
import org.sdspark.model.train.loss.LossSettings;
import org.sdspark.model.train.optim.AdamW;
import org.sdspark.model.train.optim.Ema;
import org.sdspark.model.train.optim.EmaDecay;
import org.sdspark.model.train.optim.LearningRateSchedule;
import org.sdspark.model.unet.UNet2DConditionModel;

/**
 * One optimizer step of train_text_to_image.py (min-SNR-5 loss, noise offset 0.1, clipping to
 * norm 1, AdamW, EMA) against diffusers/torch: epsilon, and v-prediction on zero-terminal-SNR
 * betas with a sample at t = 999 (SNR 0, weight 0).
 */
class FullStepParityTest {

    static DdpmScheduler scheduler(PredictionType prediction, boolean zeroSnr) {
        NoiseSchedule schedule = NoiseSchedule.of(SchedulerConfig.load(Fixtures.path("tiny-sd/scheduler/scheduler_config.json")));
        return new DdpmScheduler(zeroSnr ? schedule.rescaledToZeroTerminalSnr() : schedule, prediction);
    }

    @ParameterizedTest
    @ValueSource(strings = {"full_step_epsilon", "full_step_v"})
    void matchesDiffusersStep(String name) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             TrainingFixture f = TrainingFixture.load(m, name);
             UNet2DConditionModel unet = UNet2DConditionModel.load(m, Fixtures.path("tiny-sd/unet"))) {
            boolean v = name.endsWith("_v");
            DdpmScheduler scheduler = scheduler(v ? PredictionType.V_PREDICTION : PredictionType.EPSILON, v);
            Parity.assertClose(name + " alphas_cumprod", m.create(scheduler.schedule().alphasCumprod()), f.get("alphas_cumprod"), 1e-6);
            ParameterTree tree = ParameterTree.of(Map.of("unet", unet.stateDict()));
            List<Parameter> trained = tree.select(List.of("unet.*"));
            tree.freezeAllBut(trained);
            FlatParameters flat = new FlatParameters(trained);
            double lr = f.number("lr");
            try (ParameterUpdate update = new ParameterUpdate(flat, m, (mm, n) -> new AdamW(mm, n, 0.9, 0.999, f.number("eps")),
                    LearningRateSchedule.of(LearningRateSchedule.Kind.CONSTANT, lr, 0, 1),
                    List.of(new ParameterUpdate.Rate(0, flat.layout().length(), lr, f.number("weight_decay"))),
                    f.number("max_grad_norm"), null, w -> new Ema(EmaDecay.of(f.number("ema_decay")), w), Collective.single())) {
                NDArray before = update.master().duplicate();
                NDArray latents = f.get("latents");
                NDArray noise = f.get("noise_base").add(f.get("noise_offset_draw").mul(f.number("noise_offset")));
                Parity.assertClose(name + " noise", noise, f.get("noise"));
                NDArray t = f.get("timesteps");
                NDArray noisy = scheduler.addNoise(latents, noise, t);
                NDArray target = scheduler.target(latents, noise, t);
                Parity.assertClose(name + " noisy", noisy, f.get("noisy_latents"));
                Parity.assertClose(name + " target", target, f.get("target"));
                DiffusionLoss loss = new DiffusionLoss(scheduler, new LossSettings(f.number("snr_gamma"), f.number("noise_offset"), 1));
                NDArray value = Autograd.recording(() -> loss.of(unet.forward(noisy, t, f.get("encoder_hidden_states")),
                        target, t.toLongArray(), new boolean[2]));
                Parity.assertClose(name + " loss", value.reshape(1), f.get("loss"));
                update.backward(value, 0, 1);
                NDArray grads = flat.gradients(m);
                for (String key : paramKeys(f)) {
                    Parity.assertClose(name + " grad." + key, flat.slice(grads, "unet." + key), f.get("grad." + key), TRAINING_TOLERANCE);
                }
                ParameterUpdate.Outcome outcome = update.apply();
                assertThat(outcome.gradNorm()).isCloseTo(f.get("grad_norm").getFloat(), Offset.offset(1e-4 * outcome.gradNorm()));
                NDArray delta = update.master().sub(before);
                assertThat(delta.norm().getFloat()).isCloseTo(f.get("update_norm").getFloat(), Offset.offset(1e-3f * f.get("update_norm").getFloat()));
                for (String key : paramKeys(f)) {
                    NDArray initial = flat.slice(before, "unet." + key);
                    Parity.assertClose(name + " param." + key, tree.get("unet." + key), f.get("param." + key), TRAINING_TOLERANCE);
                    Parity.assertClose(name + " update." + key, tree.get("unet." + key).sub(initial),
                            f.get("param." + key).sub(initial), TRAINING_TOLERANCE);
                    Parity.assertClose(name + " ema." + key, flat.slice(update.ema().shadow(), "unet." + key),
                            f.get("ema." + key), TRAINING_TOLERANCE);
                }
            }
        }
    }

    static List<String> paramKeys(TrainingFixture f) {
        return f.tensors().keySet().stream().filter(k -> k.startsWith("param.")).map(k -> k.substring(6)).toList();
    }
}
