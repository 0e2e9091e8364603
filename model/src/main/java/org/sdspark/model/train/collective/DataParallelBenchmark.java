package org.sdspark.model.train.collective;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.sdspark.model.train.Autograd;
import org.sdspark.model.train.BenchmarkUpdate;
import org.sdspark.model.train.Collective;
import org.sdspark.model.train.FlatParameters;
import org.sdspark.model.train.MicroBatchGraphs;
import org.sdspark.model.train.Parameter;
import org.sdspark.model.train.ParameterUpdate;
import org.sdspark.model.train.TrainStepBenchmark;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.unet.UNetConfig;

/**
 * Data-parallel training of a UNet (Stable Diffusion 1.5 shapes, random weights, synthetic
 * latents) on every rank started by {@link ProcessLauncher}, one GPU each, timing sdspark's own
 * step: forward and backward, then {@link ParameterUpdate} (flat gradients averaged once, during
 * backward with NCCL's float32 wire, loss scaling, clipping, AdamW on fp32 masters); rank 0 alone
 * runs the same step with {@link Collective#single()}. {@code --wire fp16} and {@code --bucket-mb}
 * set the communicator as the training config's keys do; {@code --cuda-graphs true} replays
 * forward and backward from {@link MicroBatchGraphs} and all-reduces after backward. Prints JSON
 * lines from rank 0:
 * <ul>
 *   <li>{@code all_reduce}: seconds and bus bandwidth of the communicator on a buffer of the model's
 *       size (float32, float16, and float32 sent as float16);</li>
 *   <li>{@code train}: samples/s of the step on rank 0 alone and on all ranks, per batch, and the
 *       all-reduce time per step that backward did not hide;</li>
 *   <li>{@code equivalence}: float32 weights after K steps of all ranks at batch B against rank 0
 *       alone at batch N·B on the same samples.</li>
 * </ul>
 * Each timing is {@code --warmup} steps then {@code --steps} timed ones.
 */
public final class DataParallelBenchmark {
    private static final int TEXT_TOKENS = 77;

    private final Settings settings;
    private final TcpRendezvous rendezvous;
    private final Communicator communicator;
    private final Device device;
    private final UNetConfig config;

    record Settings(List<Integer> batches, int steps, int warmup, int resolution, Path unetConfig, int checkSteps,
                    Backend backend, WireFormat wire, long bucketBytes, boolean graphs) {
        static Settings parse(String[] args) {
            List<Integer> batches = List.of(8);
            int steps = 20;
            int warmup = 5;
            int resolution = 512;
            Path unet = null;
            int check = 3;
            Backend backend = Backend.AUTO;
            WireFormat wire = WireFormat.FP32;
            long bucketBytes = CollectiveSettings.DEFAULT.bucketBytes();
            boolean graphs = false;
            for (int i = 0; i < args.length; i += 2) {
                String value = args[i + 1];
                switch (args[i]) {
                    case "--batches" -> batches = java.util.Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
                    case "--steps" -> steps = Integer.parseInt(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--resolution" -> resolution = Integer.parseInt(value);
                    case "--unet-config" -> unet = Path.of(value);
                    case "--check-steps" -> check = Integer.parseInt(value);
                    case "--backend" -> backend = Backend.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--wire" -> wire = WireFormat.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--bucket-mb" -> bucketBytes = Long.parseLong(value) << 20;
                    case "--cuda-graphs" -> graphs = Boolean.parseBoolean(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Settings(batches, steps, warmup, resolution, unet, check, backend, wire, bucketBytes, graphs);
        }
    }

    private DataParallelBenchmark(Settings settings, TcpRendezvous rendezvous, Communicator communicator, Device device) {
        this.settings = settings;
        this.rendezvous = rendezvous;
        this.communicator = communicator;
        this.device = device;
        this.config = settings.unetConfig() == null ? UNetConfig.stableDiffusion15() : UNetConfig.read(settings.unetConfig());
    }

    public static void main(String[] args) throws IOException {
        Settings settings = Settings.parse(args);
        try (TcpRendezvous rendezvous = TcpRendezvous.fromEnvironment(Duration.ofMinutes(5))) {
            int gpus = Engine.getInstance().getGpuCount();
            Device device = gpus > 0 ? Device.gpu(rendezvous.rank() % gpus) : Device.cpu();
            CollectiveSettings collective = new CollectiveSettings(settings.wire(), settings.bucketBytes(), Duration.ofMinutes(5));
            try (Communicator communicator = settings.backend().open(rendezvous, "127.0.0.1", device, collective, () -> false)) {
                new DataParallelBenchmark(settings, rendezvous, communicator, device).run();
            }
        }
    }

    private void run() throws IOException {
        report("{\"bench\":\"setup\",\"world\":%d,\"device\":\"%s\",\"communicator\":\"%s\"}", communicator.worldSize(), device,
                communicator.describe());
        try (NDManager manager = NDManager.newBaseManager(device)) {
            UNet2DConditionModel unet;
            try (UNet2DConditionModel fresh = UNet2DConditionModel.random(manager, config)) {
                unet = fresh.toType(DataType.FLOAT16);
            }
            long elements = new FlatParameters(parameters(unet)).layout().length();
            allReduce(manager, elements);
            for (int i = 0; i < settings.batches().size(); i++) {
                train(manager, unet, settings.batches().get(i), true);
                train(manager, unet, settings.batches().get(i), false);
                if (i == 0 && settings.checkSteps() > 0) {
                    equivalence(); // before the larger batches, which matter less if time runs out
                }
            }
            unet.close();
        }
    }

    private void allReduce(NDManager manager, long elements) throws IOException {
        for (String kind : List.of("float32", "float16", "float32-as-float16")) {
            DataType type = kind.equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32;
            CollectiveSettings wire = new CollectiveSettings(kind.endsWith("as-float16") ? WireFormat.FP16 : WireFormat.FP32,
                    100L << 20, Duration.ofMinutes(5));
            try (NDManager scope = manager.newSubManager();
                 Communicator c = kind.endsWith("as-float16") ? reopen(wire) : null) {
                Communicator using = c == null ? communicator : c;
                NDArray buffer = scope.ones(new Shape(elements), type);
                for (int i = 0; i < settings.warmup(); i++) {
                    using.allReduceMean(buffer);
                }
                using.takeAllReduceSeconds();
                long start = System.nanoTime();
                for (int i = 0; i < settings.steps(); i++) {
                    using.allReduceMean(buffer);
                }
                double wall = (System.nanoTime() - start) / 1e9 / settings.steps();
                double gpu = using.takeAllReduceSeconds() / settings.steps();
                long bytes = elements * (type == DataType.FLOAT16 || wire.wire() == WireFormat.FP16 ? 2 : 4);
                int n = communicator.worldSize();
                report("{\"bench\":\"all_reduce\",\"impl\":\"sdspark\",\"world\":%d,\"dtype\":\"%s\",\"elements\":%d,\"bytes\":%d,"
                                + "\"seconds\":%.6f,\"wall_seconds\":%.6f,\"algbw_gb_per_s\":%.1f,\"busbw_gb_per_s\":%.1f}",
                        n, kind, elements, bytes, gpu, wall, bytes / gpu / 1e9, bytes * 2.0 * (n - 1) / n / gpu / 1e9);
            }
        }
    }

    /** A second communicator with other settings (NCCL ids are per communicator). */
    private Communicator reopen(CollectiveSettings other) throws IOException {
        return settings.backend().open(rendezvous, "127.0.0.1", device, other, () -> false);
    }

    /** Samples/s of the training step on rank 0 alone ({@code solo}) or on every rank. */
    private void train(NDManager manager, UNet2DConditionModel unet, int batch, boolean solo) {
        boolean mine = !solo || rendezvous.rank() == 0;
        if (mine) {
            Collective collective = solo ? Collective.single() : communicator;
            try (NDManager scope = manager.newSubManager();
                 ParameterUpdate update = update(scope, unet, collective, true);
                 MicroBatchGraphs graphs = graphs(scope, unet, update)) {
                Shape sample = new Shape(batch, config.inChannels(), settings.resolution() / 8, settings.resolution() / 8);
                Shape text = new Shape(batch, TEXT_TOKENS, config.crossAttentionDim());
                for (int i = 0; i < settings.warmup(); i++) {
                    step(scope, unet, update, graphs, sample, text);
                }
                communicator.takeAllReduceSeconds();
                long start = System.nanoTime();
                for (int i = 0; i < settings.steps(); i++) {
                    step(scope, unet, update, graphs, sample, text);
                }
                update.master().get(0).getFloat(); // waits for the last optimizer step
                double seconds = (System.nanoTime() - start) / 1e9 / settings.steps();
                int world = solo ? 1 : communicator.worldSize();
                double reduce = solo ? 0 : communicator.takeAllReduceSeconds() / settings.steps();
                report("{\"bench\":\"train\",\"impl\":\"%s\",\"world\":%d,\"batch_per_gpu\":%d,\"dtype\":\"float16\","
                                + "\"seconds_per_step\":%.5f,\"all_reduce_seconds_per_step\":%.5f,\"samples_per_s\":%.2f,"
                                + "\"loss_scale\":%.0f}",
                        graphs == null ? "sdspark" : "sdspark-cuda-graph", world, batch, seconds, reduce, batch * world / seconds,
                        update.scaler().scale());
            }
        }
        rendezvous.allGather("phase done"); // the other ranks wait here while rank 0 trains alone
    }

    private ParameterUpdate update(NDManager scope, UNet2DConditionModel unet, Collective collective, boolean fp16) {
        List<Parameter> parameters = parameters(unet);
        parameters.forEach(p -> p.tensor().setRequiresGradient(true));
        return BenchmarkUpdate.adamW(new FlatParameters(parameters), scope, fp16, null, collective, settings.graphs());
    }

    private MicroBatchGraphs graphs(NDManager scope, UNet2DConditionModel unet, ParameterUpdate update) {
        return settings.graphs() ? new MicroBatchGraphs(scope, in -> TrainStepBenchmark.loss(unet, in), update.parameters()) : null;
    }

    private static List<Parameter> parameters(UNet2DConditionModel unet) {
        List<Parameter> parameters = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : unet.parameters().entrySet()) {
            parameters.add(new Parameter("unet." + e.getKey(), e.getValue()));
        }
        return parameters;
    }

    /** One step on device-random inputs (as PyTorch's benchmark draws them). */
    private void step(NDManager parent, UNet2DConditionModel unet, ParameterUpdate update, MicroBatchGraphs graphs, Shape sample,
                      Shape text) {
        try (NDManager scope = parent.newSubManager()) {
            backward(unet, update, graphs, TrainStepBenchmark.randomInputs(scope, sample, text, DataType.FLOAT16));
        }
        update.apply();
    }

    /** Backward of the loss of (latents, timesteps, context, noise), replayed where {@code graphs} is not null. */
    private static void backward(UNet2DConditionModel unet, ParameterUpdate update, MicroBatchGraphs graphs, NDList inputs) {
        if (graphs != null) {
            update.backward(graphs, inputs, 0, 1);
            return;
        }
        NDArray loss = Autograd.recording(() -> TrainStepBenchmark.loss(unet, inputs));
        update.backward(loss, 0, 1);
        loss.getFloat();
    }

    /**
     * Float32: K steps of every rank at batch 1 on samples [r, r+1) of each global batch, against
     * rank 0 alone at batch N on all of them, from the same initial weights.
     */
    private void equivalence() {
        int world = communicator.worldSize();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Engine.getInstance().setRandomSeed(1234);
            UNet2DConditionModel unet = UNet2DConditionModel.random(manager, config);
            FlatParameters flat = new FlatParameters(parameters(unet));
            NDArray initial = flat.values(manager);
            communicator.broadcast(initial, 0);
            NDArray alone = null;
            if (rendezvous.rank() == 0) {
                alone = trainFp32(manager, unet, initial, Collective.single(), world, 0);
            }
            rendezvous.allGather("alone done");
            NDArray together = trainFp32(manager, unet, initial, communicator, 1, rendezvous.rank());
            if (rendezvous.rank() == 0) {
                double maxDifference = alone.sub(together).abs().max().getFloat();
                double updateNorm = alone.sub(initial).norm().getFloat();
                double relative = alone.sub(together).norm().getFloat() / updateNorm;
                report("{\"bench\":\"equivalence\",\"dtype\":\"float32\",\"steps\":%d,\"world\":%d,\"batch_per_gpu\":1,"
                                + "\"alone_batch\":%d,\"max_abs_difference\":%.3e,\"relative_l2_of_update_difference\":%.3e,"
                                + "\"update_l2\":%.3e}",
                        settings.checkSteps(), world, world, maxDifference, relative, updateNorm);
            }
        }
    }

    private NDArray trainFp32(NDManager manager, UNet2DConditionModel unet, NDArray initial, Collective collective,
                              int batch, int firstSample) {
        FlatParameters flat = new FlatParameters(parameters(unet));
        flat.assign(initial);
        try (ParameterUpdate update = update(manager, unet, collective, false);
             MicroBatchGraphs graphs = graphs(manager, unet, update)) {
            int global = communicator.worldSize();
            for (int step = 0; step < settings.checkSteps(); step++) {
                try (NDManager scope = manager.newSubManager()) {
                    long[] samples = new long[batch];
                    for (int i = 0; i < batch; i++) {
                        samples[i] = (long) step * global + firstSample + i;
                    }
                    seededBackward(scope, unet, update, graphs, samples);
                }
                update.apply();
            }
            NDArray result = update.master().duplicate();
            result.attach(manager);
            return result;
        }
    }

    /** Inputs as pure functions of the global sample index, so any split over ranks sees the same samples. */
    private void seededBackward(NDManager scope, UNet2DConditionModel unet, ParameterUpdate update, MicroBatchGraphs graphs,
                                long[] samples) {
        int side = settings.resolution() / 8;
        int perSample = config.inChannels() * side * side;
        int perText = TEXT_TOKENS * config.crossAttentionDim();
        float[] latents = new float[samples.length * perSample];
        float[] noise = new float[latents.length];
        float[] text = new float[samples.length * perText];
        long[] timesteps = new long[samples.length];
        for (int i = 0; i < samples.length; i++) {
            SplittableRandom random = new SplittableRandom(samples[i] * 0x9E3779B97F4A7C15L + 17);
            for (int j = 0; j < perSample; j++) {
                latents[i * perSample + j] = (float) random.nextGaussian();
                noise[i * perSample + j] = (float) random.nextGaussian();
            }
            for (int j = 0; j < perText; j++) {
                text[i * perText + j] = (float) random.nextGaussian();
            }
            timesteps[i] = random.nextInt(1000);
        }
        Shape sample = new Shape(samples.length, config.inChannels(), side, side);
        backward(unet, update, graphs, new NDList(scope.create(latents, sample).duplicate(), scope.create(timesteps).duplicate(),
                scope.create(text, new Shape(samples.length, TEXT_TOKENS, config.crossAttentionDim())).duplicate(),
                scope.create(noise, sample).duplicate()));
    }

    private void report(String format, Object... args) {
        if (rendezvous.rank() == 0) {
            System.out.println(String.format(Locale.ROOT, format, args));
            System.out.flush();
        }
    }
}
