package org.sdspark.model.unet;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.sdspark.model.bench.BenchmarkArguments;
import org.sdspark.model.bench.ReferenceBenchmark;
import org.sdspark.model.nn.CudaGraphStep;
import org.sdspark.model.nn.CudaMemory;
import org.sdspark.model.nn.TorchExtension;

/**
 * Times a randomly initialised UNet (Stable Diffusion 1.5 shapes by default) on the device DJL
 * finds: forward, and forward + backward to every parameter (a training step without the
 * optimiser), in samples per second after warm-up steps, with the training step's peak GPU memory.
 * Optionally a reference script times diffusers' UNet with the same shapes in the same invocation.
 */
public final class UNetBenchmark {
    public static final String USAGE = "bench unet [--batch N] [--resolution PX] [--fp16] [--steps K] [--warmup W] [--eager] [--reference SCRIPT]";
    private static final int TEXT_TOKENS = 77;
    private static final double GIB = 1024.0 * 1024 * 1024;
    // Eager runs on the graph's stream before recording, as PyTorch's CUDA graph notes advise.
    private static final int GRAPH_WARMUPS = 3;

    private UNetBenchmark() {
    }

    /**
     * @param resolution image side in pixels; the latents are resolution / 8
     * @param eager      the training step run eagerly even where it could be recorded as a CUDA graph and
     *                   replayed (a GPU, the torch extension built for CUDA), as training does by default
     * @param reference  the reference benchmark script to run after sdspark's, or null
     */
    public record Settings(int batch, int resolution, boolean fp16, int steps, int warmup, boolean eager, Path reference) {
        public Settings {
            BenchmarkArguments.requireCounts(batch, steps, warmup, 1, 0);
            BenchmarkArguments.requireResolution(resolution);
        }

        /** Defaults: batch 1, resolution 512, float32, 20 timed steps after 5 warm-up steps, no reference. */
        public static Settings parse(List<String> args) {
            int batch = 1;
            int resolution = 512;
            boolean fp16 = false;
            int steps = 20;
            int warmup = 5;
            boolean eager = false;
            Path reference = null;
            Iterator<String> it = args.iterator();
            while (it.hasNext()) {
                String arg = it.next();
                switch (arg) {
                    case "--batch" -> batch = intValue(arg, it);
                    case "--resolution" -> resolution = intValue(arg, it);
                    case "--steps" -> steps = intValue(arg, it);
                    case "--warmup" -> warmup = intValue(arg, it);
                    case "--fp16" -> fp16 = true;
                    case "--eager" -> eager = true;
                    case "--reference" -> reference = Path.of(value(arg, it));
                    default -> throw new IllegalArgumentException("unknown option " + arg + "; usage: " + USAGE);
                }
            }
            return new Settings(batch, resolution, fp16, steps, warmup, eager, reference);
        }

        /** The options that give a reference script the same shapes and step counts. */
        List<String> shapeArguments() {
            List<String> args = new ArrayList<>(List.of("--batch", String.valueOf(batch), "--resolution",
                    String.valueOf(resolution), "--steps", String.valueOf(steps), "--warmup", String.valueOf(warmup)));
            if (fp16) {
                args.add("--fp16");
            }
            return args;
        }

        private static int intValue(String option, Iterator<String> it) {
            return BenchmarkArguments.intValue(option, it, USAGE);
        }

        private static String value(String option, Iterator<String> it) {
            return BenchmarkArguments.value(option, it, USAGE);
        }
    }

    /**
     * One implementation's run, as one JSON line; a reference script prints the same fields.
     *
     * @param peakTrainGib peak GPU memory allocated during the training steps, weights included;
     *                     null where it cannot be read (CPU, or no torch extension)
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Result(String impl, String device, int batch, int resolution, String dtype, int steps,
                         @JsonProperty("forward_samples_per_s") double forwardSamplesPerSecond,
                         @JsonProperty("train_samples_per_s") double trainSamplesPerSecond,
                         @JsonProperty("peak_train_gib") Double peakTrainGib) {

        public String toJson() {
            return ReferenceBenchmark.jsonLine(this);
        }
    }

    /** sdspark against the reference: ratios above 1 mean sdspark is faster / uses more memory. */
    public record Comparison(@JsonProperty("train_speed_ratio") double trainSpeedRatio,
                             @JsonProperty("forward_speed_ratio") double forwardSpeedRatio,
                             @JsonProperty("peak_memory_ratio") Double peakMemoryRatio) {

        public static Comparison of(Result sdspark, Result reference) {
            Double memory = sdspark.peakTrainGib() == null || reference.peakTrainGib() == null
                    ? null : sdspark.peakTrainGib() / reference.peakTrainGib();
            return new Comparison(sdspark.trainSamplesPerSecond() / reference.trainSamplesPerSecond(),
                    sdspark.forwardSamplesPerSecond() / reference.forwardSamplesPerSecond(), memory);
        }

        public String toJson() {
            return ReferenceBenchmark.jsonLine(this);
        }
    }

    /** The SD 1.5 UNet on DJL's default device (a GPU when there is one). */
    public static Result run(Settings settings) {
        return run(UNetConfig.stableDiffusion15(), Engine.getInstance().defaultDevice(), settings);
    }

    public static Result run(UNetConfig config, Device device, Settings s) {
        DataType type = s.fp16() ? DataType.FLOAT16 : DataType.FLOAT32;
        long latent = s.resolution() / 8;
        try (NDManager manager = NDManager.newBaseManager(device); UNet2DConditionModel unet = build(manager, config, type)) {
            Shape sample = new Shape(s.batch(), config.inChannels(), latent, latent);
            Shape text = new Shape(s.batch(), TEXT_TOKENS, config.crossAttentionDim());
            Step forward = scope -> unet.forward(scope.randomNormal(sample), timesteps(scope, s.batch()), scope.randomNormal(text))
                    .sum().getFloat();
            double forwardSeconds = time(manager, forward, s);

            NDArray anyParameter = unet.parameters().values().iterator().next();
            unet.parameters().values().forEach(p -> p.setRequiresGradient(true));
            Step forwardBackward = scope -> {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray noise = scope.randomNormal(sample).toType(type, false);
                    NDArray prediction = unet.forward(scope.randomNormal(sample), timesteps(scope, s.batch()), scope.randomNormal(text));
                    collector.backward(prediction.sub(noise).square().mean());
                }
            };
            boolean measuresMemory = device.isGpu() && TorchExtension.isLoaded();
            if (measuresMemory) {
                CudaMemory.resetPeaks(device);
            }
            boolean recorded = !s.eager() && CudaGraphStep.available(device);
            try (CudaGraphStep graph = recorded ? CudaGraphStep.capture(device, GRAPH_WARMUPS, () -> inScope(manager, forwardBackward))
                    : null) {
                Step training = scope -> {
                    if (graph == null) {
                        forwardBackward.run(scope);
                    } else {
                        graph.replay();
                    }
                    anyParameter.getGradient().sum().getFloat(); // waits for the backward pass on asynchronous devices
                };
                double trainingSeconds = time(manager, training, s);
                Double peak = measuresMemory ? CudaMemory.of(device).peakAllocated() / GIB : null;
                return new Result(graph == null ? "sdspark" : "sdspark-cuda-graph", device.toString(), s.batch(), s.resolution(),
                        type.toString(), s.steps(), s.batch() / forwardSeconds, s.batch() / trainingSeconds, peak);
            }
        }
    }

    private static void inScope(NDManager manager, Step step) {
        try (NDManager scope = manager.newSubManager()) {
            step.run(scope);
        }
    }

    private static UNet2DConditionModel build(NDManager manager, UNetConfig config, DataType type) {
        UNet2DConditionModel fresh = UNet2DConditionModel.random(manager, config);
        if (type == DataType.FLOAT32) {
            return fresh;
        }
        try (fresh) {
            return fresh.toType(type);
        }
    }

    private static NDArray timesteps(NDManager scope, int batch) {
        return scope.randomInteger(0, 1000, new Shape(batch), DataType.INT64);
    }

    @FunctionalInterface
    private interface Step {
        void run(NDManager scope);
    }

    /** Seconds per step, averaged over the timed steps; each step's arrays are freed with its scope. */
    private static double time(NDManager manager, Step step, Settings s) {
        for (int i = 0; i < s.warmup(); i++) {
            inScope(manager, step);
        }
        long start = System.nanoTime();
        for (int i = 0; i < s.steps(); i++) {
            inScope(manager, step);
        }
        return (System.nanoTime() - start) / 1e9 / s.steps();
    }

    /**
     * Prints sdspark's result; with a reference script, then the reference's and their comparison,
     * one JSON line each.
     */
    public static void report(Settings settings, PrintStream out) {
        Result sdspark = run(settings);
        out.println(sdspark.toJson());
        if (settings.reference() != null) {
            Result reference = ReferenceBenchmark.run(settings.reference(), settings.shapeArguments(), Result.class);
            out.println(reference.toJson());
            out.println(Comparison.of(sdspark, reference).toJson());
        }
    }

    /** {@code java ... UNetBenchmark [options]}: see {@link #USAGE}. */
    public static void main(String[] args) {
        report(Settings.parse(Arrays.asList(args)), System.out);
    }
}
