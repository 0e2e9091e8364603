package org.sdspark.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.lora.LoraFile;
import org.sdspark.model.lora.LoraLayout;
import org.sdspark.model.lora.LoraWeights;
import org.sdspark.model.nn.AdapterPlan;
import org.sdspark.model.nn.LoraSpec;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.train.checkpoint.LocalCheckpointStore;
import org.sdspark.model.train.loss.LossSettings;
import org.sdspark.model.train.optim.EmaDecay;
import org.sdspark.model.train.optim.LearningRateSchedule;

/** The loop on the tiny pipeline: exact resume after a crash, full and LoRA, fp32 and fp16. */
class TrainingLoopTest {
    static final Path MODEL = Fixtures.path("tiny-sd");

    static TrainingSettings settings(List<String> trained, int steps, Precision precision, int accumulation) {
        return TrainingSettings.builder(trained, LearningRateSchedule.of(LearningRateSchedule.Kind.COSINE, 1e-3, 1, steps))
                .componentRates(Map.of("text_encoder", 1e-4)).loss(new LossSettings(5, 0.05, 0.5))
                .accumulation(accumulation).precision(precision).ema(EmaDecay.of(0.99)).seed(7).checkpoints(2, 2).build();
    }

    @Test
    void aRunStoppedMidwayResumesWithTheLossesOfAnUninterruptedRun(@TempDir Path dir) throws IOException {
        TrainingSettings s = settings(List.of("unet.*", "text_encoder.*"), 4, Precision.FP32, 2);
        SyntheticData data = new SyntheticData(TrainingBatch.ImageKind.PIXELS, 1, 3, true, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingResult whole;
            NDArray wholeWeights;
            try (TrainingRun run = TrainingRun.open(m, MODEL, s, ModelSetup.NONE, Collective.single())) {
                whole = run.train(data, new LocalCheckpointStore(dir.resolve("a")), "{}", MetricsSink.NONE, ProgressListener.NONE);
                wholeWeights = run.trainer().update().master().duplicate();
                wholeWeights.attach(m);
            }
            LocalCheckpointStore store = new LocalCheckpointStore(dir.resolve("b"));
            try (TrainingRun run = TrainingRun.open(m, MODEL, s, ModelSetup.NONE, Collective.single())) {
                assertThatThrownBy(() -> run.train(data, store, "{}", MetricsSink.NONE, r -> {
                    if (r.step() == 2) {
                        throw new IllegalStateException("crash");
                    }
                })).hasMessage("crash");
            }
            assertThat(store.steps()).containsExactly(2L);
            try (TrainingRun run = TrainingRun.open(m, MODEL, s, ModelSetup.NONE, Collective.single())) {
                TrainingResult resumed = run.train(data, store, "{}", MetricsSink.NONE, ProgressListener.NONE);
                assertThat(resumed.firstStep()).isEqualTo(2);
                assertThat(resumed.losses()).containsExactlyElementsOf(whole.losses().subList(2, 4));
                assertThat(run.trainer().update().master().contentEquals(wholeWeights)).isTrue();
            }
            assertThat(store.steps()).containsExactly(2L, 4L); // every 2 steps and at the end, newest 2 kept
            assertThat(whole.losses()).allSatisfy(l -> assertThat(l).isFinite());
        }
    }

    @Test
    void loraTrainsOnlyTheAdaptersAndResumesExactlyWithDropout(@TempDir Path dir) throws IOException {
        TrainingSettings s = settings(List.of("unet.*.lora_A.weight", "unet.*.lora_B.weight"), 3, Precision.FP32, 1);
        SyntheticData data = new SyntheticData(TrainingBatch.ImageKind.LATENT_DISTRIBUTION, 1, 5, false);
        AdapterPlan plan = AdapterPlan.lora(AdapterPlan.UNET_ATTENTION, new LoraSpec(4, 4, 0.1), AdapterPlan.Init.PEFT, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingResult whole;
            try (TrainingRun run = TrainingRun.open(m, MODEL, s, ModelSetup.lora(plan, null), Collective.single())) {
                NDArray base = run.models().unet().parameters().get("conv_in.weight").duplicate();
                whole = run.train(data, new LocalCheckpointStore(dir.resolve("a")), "{}", MetricsSink.NONE, ProgressListener.NONE);
                assertThat(run.models().unet().parameters().get("conv_in.weight").contentEquals(base)).isTrue();
                NDArray b = run.models().unet().stateDict().adapters().tensors()
                        .get("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.weight");
                assertThat(b.abs().sum().getFloat()).isPositive();
                LoraWeights lora = run.models().lora(); // 6 transformer blocks x 2 attentions x 4 projections
                assertThat(lora.modules()).hasSize(48).allSatisfy(module -> assertThat(module.rank()).isEqualTo(4));
                for (LoraLayout layout : LoraLayout.values()) {
                    LoraFile.write(dir.resolve(layout + ".safetensors"), lora, layout);
                    assertThat(dir.resolve(layout + ".safetensors")).isNotEmptyFile();
                }
            }
            LocalCheckpointStore store = new LocalCheckpointStore(dir.resolve("b"));
            try (TrainingRun run = TrainingRun.open(m, MODEL, s, ModelSetup.lora(AdapterPlan.lora(AdapterPlan.UNET_ATTENTION,
                    new LoraSpec(4, 4, 0.1), AdapterPlan.Init.PEFT, 3), null), Collective.single())) {
                assertThatThrownBy(() -> run.train(data, store, "{}", MetricsSink.NONE, r -> {
                    if (r.step() == 1) {
                        throw new IllegalStateException("crash");
                    }
                })).hasMessage("crash");
            }
            try (TrainingRun run = TrainingRun.open(m, MODEL, s, ModelSetup.lora(AdapterPlan.lora(AdapterPlan.UNET_ATTENTION,
                    new LoraSpec(4, 4, 0.1), AdapterPlan.Init.PEFT, 3), null), Collective.single())) {
                TrainingResult resumed = run.train(data, store, "{}", MetricsSink.NONE, ProgressListener.NONE);
                assertThat(resumed.losses()).containsExactlyElementsOf(whole.losses().subList(2, 3));
            }
            Path checkpoint = dir.resolve("b").resolve("checkpoint-3");
            assertThat(Files.readString(checkpoint.resolve("state.json"))).contains("lora_A").doesNotContain("conv_in");
        }
    }

    @Test
    void textualInversionLearnsOnlyTheAddedRow(@TempDir Path dir) throws IOException {
        TrainingSettings s = settings(List.of(TrainableModels.ADDED_EMBEDDINGS), 2, Precision.FP32, 1);
        SyntheticData data = new SyntheticData(TrainingBatch.ImageKind.LATENT_DISTRIBUTION, 1, 2, false);
        try (NDManager m = NDManager.newBaseManager();
             TrainingRun run = TrainingRun.open(m, MODEL, s, ModelSetup.textualInversion(List.of("<sks>"), "a"),
                     Collective.single())) {
            var weights = run.models().textEncoder().weights().tensors();
            String table = run.models().textEncoder().addedEmbeddingsKey().replace(".added", ".weight");
            NDArray before = weights.get(table).duplicate();
            NDArray initial = weights.get(run.models().textEncoder().addedEmbeddingsKey()).duplicate();
            assertThat(run.models().tokenizer().encode("a photo of <sks> dog").longIds()).contains(1514L);
            run.train(new CaptionedData(data, "a photo of <sks> dog"), new LocalCheckpointStore(dir), "{}", MetricsSink.NONE,
                    ProgressListener.NONE);
            assertThat(weights.get(table).contentEquals(before)).isTrue();
            assertThat(weights.get(run.models().textEncoder().addedEmbeddingsKey()).contentEquals(initial)).isFalse();
        }
    }

    /** The synthetic batches with every caption replaced. */
    private record CaptionedData(SyntheticData data, String caption) implements TrainingData {
        @Override
        public java.util.Iterator<TrainingBatch> from(DataPosition position) {
            java.util.Iterator<TrainingBatch> inner = data.from(position);
            return new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    return inner.hasNext();
                }

                @Override
                public TrainingBatch next() {
                    TrainingBatch b = inner.next();
                    return new TrainingBatch(b.position(), b.stepMicroBatches(), b.images(), java.util.Collections.nCopies(b.size(), caption),
                            b.prior(), b.sampleIndices());
                }
            };
        }
    }

    @Test
    void aCheckpointOfAnotherSelectionIsRefusedByName(@TempDir Path dir) throws IOException {
        SyntheticData data = new SyntheticData(TrainingBatch.ImageKind.LATENT_DISTRIBUTION, 1, 2, false);
        LocalCheckpointStore store = new LocalCheckpointStore(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            try (TrainingRun run = TrainingRun.open(m, MODEL, settings(List.of("unet.conv_in.*"), 1, Precision.FP32, 1),
                    ModelSetup.NONE, Collective.single())) {
                run.train(data, store, "{}", MetricsSink.NONE, ProgressListener.NONE);
            }
            try (TrainingRun run = TrainingRun.open(m, MODEL, settings(List.of("unet.conv_out.*"), 2, Precision.FP32, 1),
                    ModelSetup.NONE, Collective.single())) {
                assertThatThrownBy(() -> run.train(data, store, "{}", MetricsSink.NONE, ProgressListener.NONE))
                        .hasMessageContaining("checkpoint-1").hasMessageContaining("unet.conv_out.weight")
                        .hasMessageContaining("unet.conv_in.weight");
            }
        }
    }

    @Test
    void anEpochsShortLastStepIsTheMeanOfItsOwnMicroBatchesAndTheNextStepStartsTheNextEpoch(@TempDir Path dir)
            throws IOException {
        // learning rate 0: the weights never change, so step 1 of both runs sees the same model
        TrainingSettings s = TrainingSettings.builder(List.of("unet.*"), LearningRateSchedule.of(LearningRateSchedule.Kind.CONSTANT,
                0, 0, 3)).accumulation(2).seed(3).build();
        SyntheticData epochOfThree = new SyntheticData(TrainingBatch.ImageKind.LATENT_DISTRIBUTION, 1, 3, false, 2);
        List<DataPosition> taken = new java.util.ArrayList<>();
        TrainingData recorded = position -> {
            java.util.Iterator<TrainingBatch> inner = epochOfThree.from(position);
            return new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public TrainingBatch next() {
                    TrainingBatch b = inner.next();
                    taken.add(b.position());
                    return b;
                }
            };
        };
        // steps of one micro-batch each, the second being the first run's short step's batch
        TrainingData alone = position -> List.of(epochOfThree.batch(0, 0), epochOfThree.batch(0, 2), epochOfThree.batch(1, 0))
                .stream().map(b -> new TrainingBatch(b.position(), 1, b.images(), b.captions(), b.prior(), b.sampleIndices()))
                .iterator();
        List<StepReport> accumulated = new java.util.ArrayList<>();
        List<StepReport> single = new java.util.ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            try (TrainingRun run = TrainingRun.open(m, MODEL, s, ModelSetup.NONE, Collective.single())) {
                run.train(recorded, new LocalCheckpointStore(dir.resolve("a")), "{}", MetricsSink.NONE, accumulated::add);
            }
            try (TrainingRun run = TrainingRun.open(m, MODEL, s, ModelSetup.NONE, Collective.single())) {
                run.train(alone, new LocalCheckpointStore(dir.resolve("b")), "{}", MetricsSink.NONE, single::add);
            }
        }
        assertThat(taken).containsExactly(new DataPosition(0, 0), new DataPosition(0, 1), new DataPosition(0, 2),
                new DataPosition(1, 0), new DataPosition(1, 1));
        assertThat(accumulated.get(1).loss()).isEqualTo(single.get(1).loss());
        // weighted 1/1, not 1/accumulation: the gradient of a one-batch step is that batch's
        assertThat(accumulated.get(1).gradNorm()).isCloseTo(single.get(1).gradNorm(), org.assertj.core.data.Percentage.withPercentage(1e-4));
        assertThat(accumulated.get(0).loss()).isNotEqualTo(single.get(0).loss());
    }

    @Test
    void theHeldOutLossIsAFunctionOfTheWeightsBatchesAndSeedAlone() throws IOException {
        SyntheticData data = new SyntheticData(TrainingBatch.ImageKind.PIXELS, 2, 2, false);
        List<TrainingBatch> heldOut = List.of(data.batch(0, 0), data.batch(0, 1));
        try (NDManager m = NDManager.newBaseManager();
             TrainingRun run = TrainingRun.open(m, MODEL, settings(List.of("unet.*"), 1, Precision.FP32, 1), ModelSetup.NONE,
                     Collective.single())) {
            double first = run.evaluate(heldOut, 11);
            assertThat(run.evaluate(heldOut, 11)).isEqualTo(first);
            assertThat(run.evaluate(heldOut, 12)).isNotEqualTo(first);
            assertThat(first).isPositive().isFinite();
        }
    }
}
