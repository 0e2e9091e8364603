package org.sdspark.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.nn.AdapterPlan;
import org.sdspark.model.nn.LoraSpec;
import org.sdspark.model.train.checkpoint.LocalCheckpointStore;

/**
 * Every step's arrays are freed: the number of live NDArrays is the same after the last step as
 * after the first few, checkpoints included (LoRA with dropout, EMA, fp32). Run with
 * {@code -Dsdspark.leakSteps=2000} to measure a long run; resident memory is printed.
 */
class NoLeakTest {

    @Test
    void liveArraysDoNotGrowOverSteps(@TempDir Path dir) throws IOException {
        int steps = Integer.getInteger("sdspark.leakSteps", 12);
        int warmup = 4;
        TrainingSettings s = TrainingLoopTest.settings(List.of("unet.*.lora_A.weight", "unet.*.lora_B.weight",
                "text_encoder.*.lora_?.weight"), steps, Precision.FP32, 1);
        AdapterPlan unet = AdapterPlan.lora(AdapterPlan.UNET_ATTENTION, new LoraSpec(2, 2, 0.1), AdapterPlan.Init.GAUSSIAN, 1);
        AdapterPlan text = AdapterPlan.lora(AdapterPlan.TEXT_ATTENTION, new LoraSpec(2, 2, 0), AdapterPlan.Init.PEFT, 1);
        SyntheticData data = new SyntheticData(TrainingBatch.ImageKind.LATENT_DISTRIBUTION, 1, 7, false);
        try (NDManager m = NDManager.newBaseManager();
             TrainingRun run = TrainingRun.open(m, TrainingLoopTest.MODEL, s, unet, text, Collective.single())) {
            List<Integer> live = new ArrayList<>();
            List<Long> rss = new ArrayList<>();
            run.train(data, new LocalCheckpointStore(dir), "{}", MetricsSink.NONE, r -> {
                live.add(m.getManagedArrays().size());
                rss.add(residentKb());
            });
            System.out.printf("no-leak: %d steps, live arrays after step %d: %d, at the end: %d; resident %d MB -> %d MB%n",
                    steps, warmup, live.get(warmup - 1), live.get(steps - 1), rss.get(warmup - 1) / 1024, rss.get(steps - 1) / 1024);
            assertThat(live.subList(warmup - 1, steps)).containsOnly(live.get(warmup - 1));
        }
    }

    private static long residentKb() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }
}
