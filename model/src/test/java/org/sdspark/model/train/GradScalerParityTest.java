package org.sdspark.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Parity;
import org.sdspark.model.train.optim.AdamW;
import org.sdspark.model.train.optim.LearningRateSchedule;
import org.sdspark.model.train.optim.LossScaler;

/**
 * torch.amp.GradScaler around AdamW when one step's gradients hold inf: that step is skipped
 * (weights and Adam's step count unchanged), the scale halves, and grows again after
 * growth_interval good steps; the weights follow torch's step for step.
 */
class GradScalerParityTest {

    @Test
    void overflowSkipsTheStepAndBacksOffTheScale() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             TrainingFixture f = TrainingFixture.load(m, "grad_scaler")) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("param", f.get("param.initial").duplicate());
            try (StateDict dict = StateDict.of(m, "scaler test", tensors)) {
                ParameterTree tree = ParameterTree.of(Map.of("toy", dict));
                List<Parameter> trained = tree.select(List.of("toy.*"));
                tree.freezeAllBut(trained);
                FlatParameters flat = new FlatParameters(trained);
                double lr = f.number("lr");
                LossScaler scaler = new LossScaler(new LossScaler.Settings(f.number("init_scale"), f.number("growth_factor"),
                        f.number("backoff_factor"), f.settings().get("growth_interval").asInt()));
                try (ParameterUpdate update = new ParameterUpdate(flat, m, (mm, n) -> new AdamW(mm, n, 0.9, 0.999, f.number("eps")),
                        LearningRateSchedule.of(LearningRateSchedule.Kind.CONSTANT, lr, 0, 1),
                        List.of(new ParameterUpdate.Rate(0, flat.layout().length(), lr, f.number("weight_decay"))),
                        0, scaler, null, Collective.single())) {
                    NDArray param = tree.get("toy.param");
                    for (int s = 0; s < f.settings().get("steps").asInt(); s++) {
                        assertThat(scaler.scale()).isEqualTo(f.get("step." + s + ".scale_before").getFloat());
                        NDArray grads = f.get("step." + s + ".grads");
                        NDArray loss = Autograd.recording(() -> param.mul(grads).sum());
                        update.backward(loss, 0, 1);
                        ParameterUpdate.Outcome outcome = update.apply();
                        assertThat(outcome.applied()).as("step %d applied", s).isEqualTo(s != f.settings().get("overflow_step").asInt());
                        assertThat(scaler.scale()).as("scale after step %d", s).isEqualTo(f.get("step." + s + ".scale_after").getFloat());
                        assertThat(update.appliedSteps()).isEqualTo(f.get("step." + s + ".optimizer_steps").getLong());
                        Parity.assertClose("grad scaler param after step " + s, param, f.get("step." + s + ".param"));
                    }
                    assertThat(scaler.skippedSteps()).isEqualTo(1);
                }
            }
        }
    }
}
