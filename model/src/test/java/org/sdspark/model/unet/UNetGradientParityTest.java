package org.sdspark.model.unet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.ForcedGc;
import org.sdspark.model.testing.Parity;

/**
 * Backward through the composed UNet against PyTorch autograd on the fixture training step, also
 * with a garbage collection between forward and backward.
 */
class UNetGradientParityTest {

    @ParameterizedTest(name = "gc before backward: {0}")
    @ValueSource(booleans = {false, true})
    void lossAndParameterGradientsMatchPyTorch(boolean gc) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = UNet2DConditionModel.load(m, Fixtures.path("tiny-sd/unet"));
             StateDict data = StateDict.load(m, Fixtures.path("io/unet_train_step.safetensors"))) {
            Map<String, NDArray> t = data.tensors();
            unet.parameters().values().forEach(p -> p.setRequiresGradient(true));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray prediction = unet.forward(t.get("noisy_latents"), t.get("timesteps"), t.get("encoder_hidden_states"));
                NDArray loss = prediction.sub(t.get("noise")).square().mean();
                Parity.assertClose("unet train model_pred", prediction, t.get("model_pred"));
                Parity.assertClose("unet train loss", loss.reshape(1), t.get("loss"));
                if (gc) {
                    ForcedGc.run();
                }
                collector.backward(loss);
            }
            t.keySet().stream().filter(k -> k.startsWith("grad.")).forEach(k -> {
                String name = k.substring("grad.".length());
                Parity.assertClose("unet " + (gc ? "after gc " : "") + k, unet.parameters().get(name).getGradient(), t.get(k));
            });
        }
    }
}
