package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.sdspark.model.nn.AdapterDropout;
import org.sdspark.model.nn.CudaGraphStep;
import org.sdspark.model.scheduler.DdpmScheduler;
import org.sdspark.model.scheduler.NoiseSchedule;
import org.sdspark.model.train.checkpoint.CheckpointStore;
import org.sdspark.model.train.checkpoint.TrainingCheckpoint;
import org.sdspark.model.train.checkpoint.TrainingState;
import org.sdspark.model.train.loss.DiffusionLoss;
import org.sdspark.model.train.optim.Ema;
import org.sdspark.model.train.optim.LossScaler;

/**
 * The loop. Each optimizer step runs its micro-batches (the accumulation, fewer for an epoch's
 * short last step; each in its own NDManager scope, closed after its backward; each loss weighted
 * 1/count, so a step's gradient is the mean over its samples), then one {@link ParameterUpdate};
 * checkpoints as configured. Memory in the metrics is the GPU allocator's where the torch
 * extension reads it, else the process's resident set.
 * A run resumes from the newest checkpoint in its store. Under a {@link Collective} of several
 * ranks every rank runs this loop on its own shard; rank 0 writes the checkpoints.
 *
 * <p>On a GPU with the torch extension built for CUDA, a run whose text encoder is frozen and
 * whose adapters have no dropout replays each micro-batch's UNet forward, loss and backward from
 * {@link MicroBatchGraphs} (unless the settings turn CUDA graphs off): the same computation,
 * launched as one graph per batch shape. Everything else (the VAE, the text encoder, the noise,
 * the update) runs as before; several ranks all-reduce the gradients after backward.
 */
public final class Trainer implements AutoCloseable {
    private final TrainableModels models;
    private final TrainingSettings settings;
    private final NDManager manager;
    private final DiffusionLoss loss;
    private final ParameterUpdate update;
    private final boolean textEncoderTrained;
    private final Collective collective;
    private final List<AdapterDropout> dropouts = new ArrayList<>();
    private final MicroBatchGraphs graphs;

    public Trainer(TrainableModels models, TrainingSettings settings, NDManager parent, Collective collective) {
        this.models = models;
        this.settings = settings;
        this.manager = parent.newSubManager();
        this.collective = collective;
        ParameterTree tree = models.tree();
        List<Parameter> trained = tree.select(settings.trained());
        tree.freezeAllBut(trained);
        FlatParameters flat = new FlatParameters(trained);
        textEncoderTrained = trained.stream().anyMatch(p -> p.key().startsWith(TrainableModels.TEXT_ENCODER + "."));
        NoiseSchedule schedule = NoiseSchedule.of(models.schedulerConfig());
        DdpmScheduler scheduler = new DdpmScheduler(settings.zeroTerminalSnr() ? schedule.rescaledToZeroTerminalSnr() : schedule,
                settings.prediction().orElse(models.schedulerConfig().predictionType()));
        this.loss = new DiffusionLoss(scheduler, settings.loss());
        LossScaler scaler = settings.precision() == Precision.FP16 ? new LossScaler(settings.scaler()) : null;
        boolean adapterDropout = false;
        for (var dict : List.of(models.unet().stateDict(), models.textEncoder().weights())) {
            if (dict.adapterPlan() != null) {
                dropouts.add(dict.adapterPlan().dropout());
                adapterDropout |= dict.adapterPlan().rules().stream().anyMatch(r -> r.lora().dropout() > 0);
            }
        }
        boolean recorded = settings.cudaGraphs() && CudaGraphStep.available(manager.getDevice())
                && !textEncoderTrained && !adapterDropout;
        this.update = new ParameterUpdate(flat, manager, settings.optimizer()::create, settings.schedule(),
                rates(flat.layout()), settings.maxGradNorm(), scaler,
                settings.ema().<ParameterUpdate.EmaFactory>map(d -> w -> new Ema(d, w)).orElse(null), collective, recorded);
        this.graphs = recorded ? new MicroBatchGraphs(manager, this::lossOf, flat) : null;
    }

    /** Whether micro-batches replay CUDA graphs (see the class comment). */
    public boolean usesCudaGraphs() {
        return graphs != null;
    }

    private List<ParameterUpdate.Rate> rates(FlatLayout layout) {
        List<ParameterUpdate.Rate> rates = new ArrayList<>();
        for (String component : List.of(TrainableModels.UNET, TrainableModels.TEXT_ENCODER)) {
            long[] range = layout.range(component + ".");
            if (range != null) {
                double lr = settings.componentRates().getOrDefault(component, settings.schedule().lr());
                rates.add(new ParameterUpdate.Rate(range[0], range[1], lr, settings.optimizer().weightDecay()));
            }
        }
        return rates;
    }

    public ParameterUpdate update() {
        return update;
    }

    /**
     * Trains until the schedule's total steps, starting from the newest checkpoint in {@code store}
     * if there is one, reporting each step. {@code config} is the run's resolved configuration,
     * stored verbatim in each checkpoint.
     */
    public TrainingResult run(TrainingData data, CheckpointStore store, String config, MetricsSink metrics,
                              ProgressListener progress) throws IOException {
        TrainingState start = resume(store);
        long step = start == null ? 0 : start.step();
        DataPosition position = start == null ? DataPosition.START : start.next();
        Iterator<TrainingBatch> batches = data.from(position);
        List<Double> losses = new ArrayList<>();
        MemoryUse memory = MemoryUse.of(manager.getDevice());
        long began = System.nanoTime();
        long stepsThisRun = 0;
        long samples = 0;
        while (step < settings.totalSteps()) {
            TrainingBatch batch = next(batches, position, step);
            int count = batch.stepMicroBatches();
            if (count > settings.accumulation()) {
                throw new IllegalStateException("the batch at " + batch.position() + " belongs to a step of " + count
                        + " micro-batches, but the run accumulates " + settings.accumulation());
            }
            double stepLoss = 0;
            for (int micro = 0; micro < count; micro++) {
                if (micro > 0) {
                    batch = next(batches, position, step);
                    if (batch.stepMicroBatches() != count) {
                        throw new IllegalStateException("the batch at " + batch.position() + " says its step has "
                                + batch.stepMicroBatches() + " micro-batches, the step's first said " + count);
                    }
                }
                stepLoss += microBatch(batch, new StepRandom(settings.seed(), step, micro), micro, count) / count;
                samples += batch.size();
                position = batch.position().next();
            }
            ParameterUpdate.Outcome outcome = update.apply();
            losses.add(stepLoss);
            stepsThisRun++;
            double seconds = (System.nanoTime() - began) / 1e9;
            StepReport report = new StepReport(step, settings.totalSteps(), stepLoss, outcome.lr(), outcome.gradNorm(),
                    outcome.lossScale(), outcome.applied(), update.scaler() == null ? 0 : update.scaler().skippedSteps(),
                    samples / seconds, seconds / stepsThisRun * (settings.totalSteps() - step - 1));
            step++;
            metrics.write(report.step(), metricsOf(report, memory.read()));
            if (settings.checkpointEvery() > 0 && step % settings.checkpointEvery() == 0 || step == settings.totalSteps()) {
                checkpoint(store, step, position, config);
            }
            progress.onStep(report);
        }
        return new TrainingResult(start == null ? 0 : start.step(), step, losses);
    }

    private static TrainingBatch next(Iterator<TrainingBatch> batches, DataPosition position, long step) {
        if (!batches.hasNext()) {
            throw new NoSuchElementException("the training data ended at " + position + " before step " + (step + 1));
        }
        return batches.next();
    }

    /**
     * The mean loss of {@code batches} under the current weights, without gradients or dropout:
     * batch i draws its noise and timesteps as step 0, micro-batch i of a run seeded {@code seed},
     * so the same batches and seed give the same draws before and after training (held-out loss).
     */
    public double evaluate(List<TrainingBatch> batches, long seed) {
        double sum = 0;
        for (int i = 0; i < batches.size(); i++) {
            StepRandom random = new StepRandom(seed, 0, i);
            TrainingBatch batch = batches.get(i);
            sum += Autograd.paused(() -> {
                try (NDManager scope = manager.newSubManager()) {
                    MicroBatch in = MicroBatch.prepare(scope, batch, random, models.vae(), loss.scheduler(), models.tokenizer(),
                            settings.loss().noiseOffset());
                    NDArray context = models.textEncoder().encode(in.tokenIds(), settings.clipSkip());
                    return (double) loss.of(models.unet().forward(in.noisyLatents(), in.timesteps(), context), in.target(),
                            in.timestepValues(), in.prior()).getFloat();
                }
            });
        }
        return sum / batches.size();
    }

    private double microBatch(TrainingBatch batch, StepRandom random, int micro, int stepMicroBatches) {
        try (NDManager scope = manager.newSubManager()) {
            MicroBatch in = MicroBatch.prepare(scope, batch, random, models.vae(), loss.scheduler(), models.tokenizer(),
                    settings.loss().noiseOffset());
            dropouts.forEach(d -> d.train(random.microBatchSeed()));
            try {
                NDArray context = textEncoderTrained
                        ? Autograd.recording(() -> models.textEncoder().encode(in.tokenIds(), settings.clipSkip()))
                        : Autograd.paused(() -> models.textEncoder().encode(in.tokenIds(), settings.clipSkip()));
                NDList inputs = new NDList(in.noisyLatents(), in.timesteps(), context, in.target(),
                        loss.coefficients(scope, in.timestepValues(), in.prior()));
                if (graphs != null) {
                    return update.backward(graphs, inputs, micro, stepMicroBatches);
                }
                NDArray value = Autograd.recording(() -> lossOf(inputs));
                update.backward(value, micro, stepMicroBatches);
                return value.getFloat();
            } finally {
                dropouts.forEach(AdapterDropout::eval);
            }
        }
    }

    /** The loss of (noisy latents, timesteps, text context, target, coefficients). */
    private NDArray lossOf(NDList in) {
        return loss.of(models.unet().forward(in.get(0), in.get(1), in.get(2)), in.get(3), in.get(4));
    }

    private TrainingState resume(CheckpointStore store) throws IOException {
        List<Long> steps = store.steps();
        if (steps.isEmpty()) {
            return null;
        }
        long newest = steps.get(steps.size() - 1);
        return store.read(newest, folder -> TrainingCheckpoint.read(folder, update));
    }

    // Rank 0 writes to the shared store; the others wait so that none runs ahead of a checkpoint.
    private void checkpoint(CheckpointStore store, long step, DataPosition next, String config) throws IOException {
        if (collective.rank() == 0) {
            write(store, step, next, config);
        }
        collective.barrier();
    }

    private void write(CheckpointStore store, long step, DataPosition next, String config) throws IOException {
        TrainingState state = new TrainingState(step, update.appliedSteps(), next,
                update.scaler() == null ? null : update.scaler().state(), update.ema() == null ? 0 : update.ema().updates(),
                update.parameters().layout().keys(), config);
        store.save(step, folder -> TrainingCheckpoint.write(folder, update, state));
        List<Long> kept = store.steps();
        for (int i = 0; i < kept.size() - settings.keepCheckpoints(); i++) {
            store.delete(kept.get(i));
        }
    }

    private static Map<String, Double> metricsOf(StepReport r, MemoryUse.Reading memory) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", r.loss());
        m.put("lr", r.lr());
        m.put("grad_norm", r.gradNorm());
        m.put("loss_scale", r.lossScale());
        m.put("skipped_steps", (double) r.skippedSteps());
        m.put("samples_per_second", r.samplesPerSecond());
        m.put("memory_gib", memory.currentGib());
        m.put("peak_memory_gib", memory.peakGib());
        return m;
    }

    @Override
    public void close() {
        if (graphs != null) {
            graphs.close();
        }
        update.close();
        manager.close();
    }
}
