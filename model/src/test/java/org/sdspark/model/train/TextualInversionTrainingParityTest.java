package org.sdspark.model.train;

import static org.sdspark.model.testing.Parity.TRAINING_TOLERANCE;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.scheduler.DdpmScheduler;
import org.sdspark.model.scheduler.PredictionType;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;
import org.sdspark.model.train.loss.DiffusionLoss;
import org.sdspark.model.train.loss.LossSettings;
import org.sdspark.model.train.optim.AdamW;
import org.sdspark.model.train.optim.LearningRateSchedule;

/**
 * textual_inversion.py's step: one placeholder token whose row starts as token 320's; the loss
 * through text encoder and UNet, the row's gradient and its AdamW update, every other weight fixed.
 */
class TextualInversionTrainingParityTest {

    @Test
    void onlyTheAddedRowLearnsAsInDiffusers() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             TrainingFixture f = TrainingFixture.load(m, "textual_inversion");
             TrainableModels models = TrainableModels.of(StableDiffusionPipeline.load(m, Fixtures.path("tiny-sd")), null, null)) {
            models.addTokens(List.of("<sks>"), "a"); // token 320, the fixture's initializer
            ParameterTree tree = models.tree();
            List<Parameter> trained = tree.select(List.of(TrainableModels.ADDED_EMBEDDINGS));
            tree.freezeAllBut(trained);
            Parity.assertClose("TI initial row", trained.get(0).tensor(), f.get("added.initial"));
            FlatParameters flat = new FlatParameters(trained);
            double lr = f.number("lr");
            try (ParameterUpdate update = new ParameterUpdate(flat, m, (mm, n) -> new AdamW(mm, n, 0.9, 0.999, f.number("eps")),
                    LearningRateSchedule.of(LearningRateSchedule.Kind.CONSTANT, lr, 0, 1),
                    List.of(new ParameterUpdate.Rate(0, flat.layout().length(), lr, f.number("weight_decay"))), 0, null, null,
                    Collective.single())) {
                DdpmScheduler scheduler = FullStepParityTest.scheduler(PredictionType.EPSILON, false);
                NDArray t = f.get("timesteps");
                NDArray noise = f.get("noise");
                NDArray noisy = scheduler.addNoise(f.get("latents"), noise, t);
                NDArray loss = Autograd.recording(() -> {
                    NDArray context = models.textEncoder().encode(f.get("input_ids"), 0);
                    Parity.assertClose("TI encoder hidden states", context, f.get("encoder_hidden_states"));
                    return new DiffusionLoss(scheduler, LossSettings.PLAIN).of(models.unet().forward(noisy, t, context),
                            noise, t.toLongArray(), new boolean[2]);
                });
                Parity.assertClose("TI loss", loss.reshape(1), f.get("loss"));
                Autograd.backward(loss);
                Parity.assertClose("TI row gradient", flat.gradients(m).get("0:32").reshape(1, 32), f.get("added.grad"), TRAINING_TOLERANCE);
                update.apply();
                NDArray initial = f.get("added.initial");
                Parity.assertClose("TI row update", trained.get(0).tensor().sub(initial), f.get("added.updated").sub(initial),
                        TRAINING_TOLERANCE);
            }
        }
    }
}
