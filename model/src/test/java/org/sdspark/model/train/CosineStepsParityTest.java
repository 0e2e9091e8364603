package org.sdspark.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sdspark.model.testing.Parity.TRAINING_TOLERANCE;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.sdspark.model.scheduler.DdpmScheduler;
import org.sdspark.model.scheduler.PredictionType;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;
import org.sdspark.model.train.loss.DiffusionLoss;
import org.sdspark.model.train.loss.LossSettings;
import org.sdspark.model.train.optim.AdamW;
import org.sdspark.model.train.optim.Ema;
import org.sdspark.model.train.optim.EmaDecay;
import org.sdspark.model.train.optim.LearningRateSchedule;
import org.sdspark.model.train.optim.OptimizerState;
import org.sdspark.model.unet.UNet2DConditionModel;

/** Five AdamW steps with cosine schedule after 2 warm-up steps, clipping to 0.05, EMA with warm-up. */
class CosineStepsParityTest {

    @Test
    void fiveStepsMatchTorchAndDiffusers() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             TrainingFixture f = TrainingFixture.load(m, "adamw_cosine_5");
             UNet2DConditionModel unet = UNet2DConditionModel.load(m, Fixtures.path("tiny-sd/unet"))) {
            DdpmScheduler scheduler = FullStepParityTest.scheduler(PredictionType.EPSILON, false);
            ParameterTree tree = ParameterTree.of(Map.of("unet", unet.stateDict()));
            List<Parameter> trained = tree.select(List.of("unet.*"));
            tree.freezeAllBut(trained);
            FlatParameters flat = new FlatParameters(trained);
            int steps = f.settings().get("steps").asInt();
            double lr = f.number("lr");
            EmaDecay decay = new EmaDecay(f.number("ema_decay"), f.number("ema_min_decay"),
                    f.settings().get("ema_update_after_step").asInt(), true, f.number("ema_inv_gamma"), f.number("ema_power"));
            LearningRateSchedule schedule = LearningRateSchedule.of(LearningRateSchedule.Kind.COSINE, lr,
                    f.settings().get("lr_warmup_steps").asInt(), steps);
            DiffusionLoss loss = new DiffusionLoss(scheduler, LossSettings.PLAIN);
            try (ParameterUpdate update = new ParameterUpdate(flat, m, (mm, n) -> new AdamW(mm, n, 0.9, 0.999, f.number("eps")),
                    schedule, List.of(new ParameterUpdate.Rate(0, flat.layout().length(), lr, f.number("weight_decay"))),
                    f.number("max_grad_norm"), null, w -> new Ema(decay, w), Collective.single())) {
                for (int s = 0; s < steps; s++) {
                    try (NDManager step = m.newSubManager()) {
                        NDArray latents = f.get("step." + s + ".latents");
                        NDArray noise = f.get("step." + s + ".noise_base");
                        NDArray t = f.get("step." + s + ".timesteps");
                        NDArray noisy = scheduler.addNoise(latents, noise, t);
                        noisy.attach(step);
                        NDArray context = f.get("step." + s + ".encoder_hidden_states");
                        NDArray value = Autograd.recording(() -> loss.of(
                                unet.forward(noisy, t, context), noise, t.toLongArray(), new boolean[2]));
                        value.attach(step);
                        Parity.assertClose("step " + s + " loss", value.reshape(1), f.get("step." + s + ".loss"));
                        update.backward(value, 0, 1);
                        ParameterUpdate.Outcome outcome = update.apply();
                        assertThat(outcome.lr()).as("lr at step " + s).isCloseTo(f.get("step." + s + ".lr").getFloat(), Offset.offset(1e-9));
                        float norm = f.get("step." + s + ".grad_norm").getFloat();
                        assertThat(outcome.gradNorm()).as("grad norm at step " + s).isCloseTo(norm, Offset.offset(1e-3 * norm));
                        assertThat(update.ema().lastDecay()).isCloseTo(f.get("step." + s + ".ema_decay").getFloat(), Offset.offset(1e-6));
                    }
                }
                NDArray expAvg = state(update, "exp_avg");
                NDArray expAvgSq = state(update, "exp_avg_sq");
                for (String key : FullStepParityTest.paramKeys(f)) {
                    String full = "unet." + key;
                    NDArray initial = unetInitial(m, key);
                    Parity.assertClose("5 steps update." + key, tree.get(full).sub(initial), f.get("param." + key).sub(initial), TRAINING_TOLERANCE);
                    Parity.assertClose("5 steps ema." + key, flat.slice(update.ema().shadow(), full).sub(initial),
                            f.get("ema." + key).sub(initial), TRAINING_TOLERANCE);
                    Parity.assertClose("5 steps exp_avg." + key, flat.slice(expAvg, full), f.get("exp_avg." + key), TRAINING_TOLERANCE);
                    Parity.assertClose("5 steps exp_avg_sq." + key, flat.slice(expAvgSq, full), f.get("exp_avg_sq." + key), TRAINING_TOLERANCE);
                }
            }
        }
    }

    private static NDArray state(ParameterUpdate update, String name) {
        return update.optimizer().state().stream().filter(s -> s.name().equals(name)).findFirst()
                .map(OptimizerState::values).orElseThrow();
    }

    private static NDArray unetInitial(NDManager m, String key) throws IOException {
        try (UNet2DConditionModel fresh = UNet2DConditionModel.load(m, Fixtures.path("tiny-sd/unet"))) {
            NDArray t = fresh.parameters().get(key).duplicate();
            t.attach(m);
            return t;
        }
    }
}
