package org.sdspark.model.train;

import static org.sdspark.model.testing.Parity.TRAINING_TOLERANCE;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.model.scheduler.DdpmScheduler;
import org.sdspark.model.scheduler.PredictionType;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;
import org.sdspark.model.train.loss.DiffusionLoss;
import org.sdspark.model.train.loss.LossSettings;
import org.sdspark.model.unet.UNet2DConditionModel;

/** train_dreambooth.py's loss on 2 instance + 2 class samples: instance mean + weight · class mean. */
class PriorPreservationParityTest {

    @Test
    void lossAndGradientsMatchDreamBooth() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             TrainingFixture f = TrainingFixture.load(m, "prior_preservation");
             UNet2DConditionModel unet = UNet2DConditionModel.load(m, Fixtures.path("tiny-sd/unet"))) {
            DdpmScheduler scheduler = FullStepParityTest.scheduler(PredictionType.EPSILON, false);
            ParameterTree tree = ParameterTree.of(Map.of("unet", unet.stateDict()));
            List<Parameter> trained = tree.select(List.of("unet.*"));
            tree.freezeAllBut(trained);
            FlatParameters flat = new FlatParameters(trained);
            NDArray t = f.get("timesteps");
            NDArray noise = f.get("noise_base");
            NDArray noisy = scheduler.addNoise(f.get("latents"), noise, t);
            DiffusionLoss loss = new DiffusionLoss(scheduler, new LossSettings(0, 0, f.number("prior_loss_weight")));
            boolean[] prior = {false, false, true, true};
            NDArray value = Autograd.recording(() -> loss.of(unet.forward(noisy, t, f.get("encoder_hidden_states")),
                    noise, t.toLongArray(), prior));
            Parity.assertClose("prior preservation loss", value.reshape(1), f.get("loss"));
            Autograd.backward(value);
            NDArray grads = flat.gradients(m);
            for (String key : f.tensors().keySet().stream().filter(k -> k.startsWith("grad.")).map(k -> k.substring(5)).toList()) {
                Parity.assertClose("prior preservation grad." + key, flat.slice(grads, "unet." + key), f.get("grad." + key),
                        TRAINING_TOLERANCE);
            }
        }
    }
}
