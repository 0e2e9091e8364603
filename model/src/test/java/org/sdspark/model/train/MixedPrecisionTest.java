package org.sdspark.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.train.checkpoint.LocalCheckpointStore;
import org.sdspark.model.train.optim.LossScaler;

/**
 * fp16: forward and backward on a float16 model, float32 masters, dynamic loss scaling. Steps
 * whose float16 gradients overflow are skipped (weights untouched, scale halved, counted) until the
 * scale fits; the model then holds its masters rounded to float16, and its losses follow fp32's.
 */
class MixedPrecisionTest {

    @Test
    void overflowingStepsAreSkippedAndTheModelFollowsItsFp32Masters(@TempDir Path dir) throws IOException {
        int steps = 6;
        // only the first step is compared: it sees the same weights and draws in both precisions
        TrainingSettings fp32 = TrainingLoopTest.settings(List.of("unet.*"), 1, Precision.FP32, 1);
        // 2^20: the tiny UNet's scaled float16 gradients overflow at first (at torch's 65536 they fit)
        TrainingSettings fp16 = TrainingLoopTest.settings(List.of("unet.*"), steps, Precision.FP16, 1).toBuilder()
                .scaler(new LossScaler.Settings(1 << 20, 2, 0.5, 2000)).build();
        SyntheticData data = new SyntheticData(TrainingBatch.ImageKind.LATENT_DISTRIBUTION, 1, 6, false);
        try (NDManager m = NDManager.newBaseManager()) {
            List<StepReport> reports = new ArrayList<>();
            List<Double> reference;
            try (TrainingRun run = TrainingRun.open(m, TrainingLoopTest.MODEL, fp32, null, null, Collective.single())) {
                reference = run.train(data, new LocalCheckpointStore(dir.resolve("fp32")), "{}", MetricsSink.NONE,
                        ProgressListener.NONE).losses();
            }
            try (TrainingRun run = TrainingRun.open(m, TrainingLoopTest.MODEL, fp16, null, null, Collective.single())) {
                run.train(data, new LocalCheckpointStore(dir.resolve("fp16")), "{}", MetricsSink.NONE, reports::add);
                ParameterUpdate update = run.trainer().update();
                NDArray weight = run.models().unet().parameters().get("conv_in.weight");
                assertThat(weight.getDataType()).isEqualTo(DataType.FLOAT16);
                NDArray master = update.parameters().slice(update.master(), "unet.conv_in.weight");
                assertThat(weight.contentEquals(master.toType(DataType.FLOAT16, false))).isTrue();
                long skipped = reports.stream().filter(r -> !r.applied()).count();
                assertThat(update.scaler().skippedSteps()).isEqualTo(skipped);
                assertThat(update.appliedSteps()).isEqualTo(steps - skipped);
                assertThat(skipped).isBetween(1L, steps - 1L);
                double scale = 1 << 20;
                for (StepReport r : reports) {
                    assertThat(r.lossScale()).isEqualTo(scale);
                    scale = r.applied() ? scale : scale / 2;
                    assertThat(r.loss()).isFinite();
                }
                System.out.printf("fp16: %d of %d steps skipped for overflow; losses %s vs fp32 %s%n", skipped, steps,
                        reports.stream().map(StepReport::loss).toList(), reference);
                assertThat(reports.get(0).loss()).isCloseTo(reference.get(0), org.assertj.core.data.Percentage.withPercentage(1));
            }
        }
    }
}
