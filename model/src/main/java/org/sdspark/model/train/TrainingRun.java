package org.sdspark.model.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.sdspark.model.pipeline.LoadOptions;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.train.checkpoint.CheckpointStore;

/**
 * A fine-tuning run from a checkpoint path and typed settings: loads the pipeline in the run's
 * precision, applies the method's {@link ModelSetup} (adapters, added tokens), and trains; rerun
 * with the same store to resume. Afterwards {@link #models()} holds the trained weights (the pipeline can be saved as a
 * diffusers folder or single file; the UNet's adapters are its adapter dict).
 *
 * <pre>{@code
 * try (NDManager m = NDManager.newBaseManager();
 *      TrainingRun run = TrainingRun.open(m, Path.of("sd15"), settings, ModelSetup.lora(plan, null), Collective.single())) {
 *     run.train(data, new LocalCheckpointStore(out.resolve("checkpoints")), configJson, metrics, progress);
 *     run.useEmaWeights();
 *     run.models().pipeline().saveDiffusers(out.resolve("model"));
 * }
 * }</pre>
 */
public final class TrainingRun implements AutoCloseable {
    private final TrainableModels models;
    private final Trainer trainer;

    private TrainingRun(TrainableModels models, Trainer trainer) {
        this.models = models;
        this.trainer = trainer;
    }

    public static TrainingRun open(NDManager manager, Path model, TrainingSettings settings, ModelSetup setup,
                                   Collective collective) throws IOException {
        StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(manager, model,
                new LoadOptions(null, false, settings.precision().modelType()));
        try {
            TrainableModels models = setup.apply(pipeline);
            return new TrainingRun(models, new Trainer(models, settings, manager, collective));
        } catch (RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    public TrainingResult train(TrainingData data, CheckpointStore store, String config, MetricsSink metrics,
                                ProgressListener progress) throws IOException {
        return trainer.run(data, store, config, metrics, progress);
    }

    /** The mean loss of {@code batches} under the current weights, no gradients; see {@link Trainer#evaluate}. */
    public double evaluate(List<TrainingBatch> batches, long seed) {
        return trainer.evaluate(batches, seed);
    }

    /** Puts the EMA weights into the model (before exporting the EMA model); no-op without EMA. */
    public void useEmaWeights() {
        ParameterUpdate update = trainer.update();
        if (update.ema() != null) {
            update.parameters().assign(update.ema().shadow());
        }
    }

    public TrainableModels models() {
        return models;
    }

    public Trainer trainer() {
        return trainer;
    }

    @Override
    public void close() {
        trainer.close();
        models.close();
    }
}
