package org.sdspark.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sdspark.model.bench.BenchmarkArguments;
import org.sdspark.model.bench.ReferenceBenchmark;
import org.sdspark.model.nn.AdapterPlan;
import org.sdspark.model.nn.CudaGraphStep;
import org.sdspark.model.nn.LoraSpec;
import org.sdspark.model.train.optim.Ema;
import org.sdspark.model.train.optim.EmaDecay;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.unet.UNetConfig;

/**
 * Times sdspark's whole training step on a randomly initialised UNet (Stable Diffusion 1.5 shapes
 * unless a config is given) on the device DJL finds: forward, MSE to the noise, backward, then the
 * {@link ParameterUpdate} a run applies (flat gradients, loss scaling in fp16, clipping at 1.0,
 * AdamW on fp32 masters, copy back, EMA of the weights with {@code --ema}) — for a full fine-tune
 * (every UNet weight) and for LoRA on the attention projections, in samples per second after
 * warm-up, with the peak memory of warm-up and timed steps. Forward and backward are replayed from a CUDA graph
 * where training would replay them (a GPU, the torch extension built for CUDA) unless {@code --eager}.
 * Optionally a reference script times diffusers' step with the same shapes in the same invocation.
 */
public final class TrainStepBenchmark {
    public static final String USAGE = "bench train [--method full|lora|both] [--batch N] [--resolution PX] [--fp16]"
            + " [--ema] [--steps K] [--warmup W] [--lora-rank R] [--unet-config FILE] [--eager] [--reference SCRIPT]";
    private static final int TEXT_TOKENS = 77;
    private static final int MIN_STEPS = 20;
    private static final int MIN_WARMUP = 5;
    private static final double EMA_DECAY = 0.9999;

    private TrainStepBenchmark() {
    }

    /** What is trained: every UNet weight, or LoRA adapters on the attention projections. */
    public enum Method { FULL, LORA }

    /**
     * @param unetConfig a diffusers UNet config.json for other shapes, or null (SD 1.5)
     * @param eager      forward and backward run eagerly even where CUDA graphs could replay them
     * @param reference  the reference benchmark script run after sdspark's, or null
     */
    public record Settings(List<Method> methods, int batch, int resolution, boolean fp16, boolean ema, int steps, int warmup,
                           int loraRank, Path unetConfig, boolean eager, Path reference) {
        public Settings {
            methods = List.copyOf(methods);
            BenchmarkArguments.requireCounts(batch, steps, warmup, MIN_STEPS, MIN_WARMUP);
            if (loraRank < 1) {
                throw new IllegalArgumentException("need lora rank >= 1, got " + loraRank);
            }
            BenchmarkArguments.requireResolution(resolution);
        }

        /** Defaults: both methods, batch 1, 512 px, float32, no EMA, 20 timed steps after 5, LoRA rank 4, SD 1.5, no reference. */
        public static Settings parse(List<String> args) {
            List<Method> methods = List.of(Method.FULL, Method.LORA);
            int batch = 1;
            int resolution = 512;
            boolean fp16 = false;
            boolean ema = false;
            int steps = MIN_STEPS;
            int warmup = MIN_WARMUP;
            int rank = 4;
            Path config = null;
            boolean eager = false;
            Path reference = null;
            Iterator<String> it = args.iterator();
            while (it.hasNext()) {
                String arg = it.next();
                switch (arg) {
                    case "--method" -> methods = methods(value(arg, it));
                    case "--batch" -> batch = intValue(arg, it);
                    case "--resolution" -> resolution = intValue(arg, it);
                    case "--steps" -> steps = intValue(arg, it);
                    case "--warmup" -> warmup = intValue(arg, it);
                    case "--lora-rank" -> rank = intValue(arg, it);
                    case "--fp16" -> fp16 = true;
                    case "--ema" -> ema = true;
                    case "--eager" -> eager = true;
                    case "--unet-config" -> config = Path.of(value(arg, it));
                    case "--reference" -> reference = Path.of(value(arg, it));
                    default -> throw new IllegalArgumentException("unknown option " + arg + "; usage: " + USAGE);
                }
            }
            return new Settings(methods, batch, resolution, fp16, ema, steps, warmup, rank, config, eager, reference);
        }

        private static List<Method> methods(String value) {
            return switch (value) {
                case "full" -> List.of(Method.FULL);
                case "lora" -> List.of(Method.LORA);
                case "both" -> List.of(Method.FULL, Method.LORA);
                default -> throw new IllegalArgumentException("--method is one of full, lora, both; not '" + value + "'");
            };
        }

        /** The options that give the reference script the same run of {@code method}. */
        List<String> referenceArguments(Method method) {
            List<String> args = new ArrayList<>(List.of("--method", method.name().toLowerCase(Locale.ROOT), "--batch",
                    String.valueOf(batch), "--resolution", String.valueOf(resolution), "--steps", String.valueOf(steps),
                    "--warmup", String.valueOf(warmup), "--lora-rank", String.valueOf(loraRank)));
            if (fp16) {
                args.add("--fp16");
            }
            if (ema) {
                args.add("--ema");
            }
            if (unetConfig != null) {
                args.addAll(List.of("--unet-config", unetConfig.toString()));
            }
            return args;
        }

        UNetConfig config() {
            return unetConfig == null ? UNetConfig.stableDiffusion15() : UNetConfig.read(unetConfig);
        }

        private static int intValue(String option, Iterator<String> it) {
            return BenchmarkArguments.intValue(option, it, USAGE);
        }

        private static String value(String option, Iterator<String> it) {
            return BenchmarkArguments.value(option, it, USAGE);
        }
    }

    /**
     * One implementation's run of one method, as one JSON line; the reference script prints the
     * same fields. {@code peakGib}: the CUDA allocator's peak during warm-up and the timed steps, or on the CPU
     * the process's peak resident set; null where neither can be read.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Result(String impl, String method, String device, int batch, int resolution, String dtype, boolean ema, int steps,
                         @JsonProperty("trained_parameters") long trainedParameters,
                         @JsonProperty("samples_per_s") double samplesPerSecond,
                         @JsonProperty("peak_gib") Double peakGib) {
    }

    /** sdspark against the reference for one method: above 1, sdspark is faster / holds more memory. */
    public record Comparison(String method, @JsonProperty("speed_ratio") double speedRatio,
                             @JsonProperty("peak_memory_ratio") Double peakMemoryRatio) {
        static Comparison of(Result sdspark, Result reference) {
            Double memory = sdspark.peakGib() == null || reference.peakGib() == null ? null : sdspark.peakGib() / reference.peakGib();
            return new Comparison(sdspark.method(), sdspark.samplesPerSecond() / reference.samplesPerSecond(), memory);
        }
    }

    public static Result run(Method method, Settings s) {
        return run(method, s, Engine.getInstance().defaultDevice());
    }

    public static Result run(Method method, Settings s, Device device) {
        UNetConfig config = s.config();
        DataType type = s.fp16() ? DataType.FLOAT16 : DataType.FLOAT32;
        long latent = s.resolution() / 8;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            UNet2DConditionModel unet = build(manager, config, type, method, s.loraRank());
            boolean recorded = !s.eager() && CudaGraphStep.available(device);
            try (unet; ParameterUpdate update = update(manager, unet, method, s.fp16(), s.ema(), recorded);
                 MicroBatchGraphs graphs = recorded ? new MicroBatchGraphs(manager, in -> loss(unet, in), update.parameters()) : null) {
                Shape sample = new Shape(s.batch(), config.inChannels(), latent, latent);
                Shape text = new Shape(s.batch(), TEXT_TOKENS, config.crossAttentionDim());
                // from before warm-up: a CUDA graph takes its memory while it records (in warm-up), and
                // the allocator does not see its replays use it
                MemoryUse memory = MemoryUse.of(device);
                memory.resetPeak();
                for (int i = 0; i < s.warmup(); i++) {
                    step(manager, unet, update, graphs, sample, text, type);
                }
                update.master().get(0).getFloat(); // waits for queued work on asynchronous devices
                long start = System.nanoTime();
                for (int i = 0; i < s.steps(); i++) {
                    step(manager, unet, update, graphs, sample, text, type);
                }
                update.master().get(0).getFloat();
                double seconds = (System.nanoTime() - start) / 1e9 / s.steps();
                double peak = memory.read().peakGib();
                return new Result(recorded ? "sdspark-cuda-graph" : "sdspark", method.name().toLowerCase(Locale.ROOT), device.toString(), s.batch(), s.resolution(),
                        s.fp16() ? "float16" : "float32", s.ema(), s.steps(), update.parameters().layout().entries().stream()
                        .mapToLong(e -> e.size()).sum(), s.batch() / seconds, Double.isNaN(peak) ? null : peak);
            }
        }
    }

    private static UNet2DConditionModel build(NDManager manager, UNetConfig config, DataType type, Method method, int rank) {
        UNet2DConditionModel unet = UNet2DConditionModel.random(manager, config);
        if (type != DataType.FLOAT32) {
            try (UNet2DConditionModel fresh = unet) {
                unet = fresh.toType(type);
            }
        }
        return method == Method.LORA ? TrainableModels.adapted(unet,
                AdapterPlan.lora(AdapterPlan.UNET_ATTENTION, new LoraSpec(rank, rank), AdapterPlan.Init.GAUSSIAN, 0)) : unet;
    }

    private static ParameterUpdate update(NDManager manager, UNet2DConditionModel unet, Method method, boolean fp16, boolean ema,
                                          boolean recorded) {
        ParameterTree tree = ParameterTree.of(Map.of(TrainableModels.UNET, unet.stateDict()));
        List<Parameter> trained = tree.select(method == Method.FULL ? List.of("unet.*")
                : List.of("unet.*.lora_A.weight", "unet.*.lora_B.weight"));
        tree.freezeAllBut(trained);
        return BenchmarkUpdate.adamW(new FlatParameters(trained), manager, fp16,
                ema ? w -> new Ema(EmaDecay.of(EMA_DECAY), w) : null, Collective.single(), recorded);
    }

    /** One optimizer step on device-random inputs, as PyTorch's benchmark draws them; {@code graphs} null: eager. */
    private static void step(NDManager parent, UNet2DConditionModel unet, ParameterUpdate update, MicroBatchGraphs graphs,
                             Shape sample, Shape text, DataType type) {
        try (NDManager scope = parent.newSubManager()) {
            NDList inputs = randomInputs(scope, sample, text, type);
            if (graphs == null) {
                update.backward(Autograd.recording(() -> loss(unet, inputs)), 0, 1);
            } else {
                update.backward(graphs, inputs, 0, 1);
            }
        }
        update.apply();
    }

    /** (latents, timesteps, text context, noise) drawn on the device, latents and context in {@code type}, noise in float32. */
    public static NDList randomInputs(NDManager scope, Shape sample, Shape text, DataType type) {
        return new NDList(scope.randomNormal(0, 1, sample, type),
                scope.randomInteger(0, 1000, new Shape(sample.get(0)), DataType.INT64),
                scope.randomNormal(0, 1, text, type), scope.randomNormal(0, 1, sample, DataType.FLOAT32));
    }

    /** MSE of the prediction for (latents, timesteps, context) to the noise: the benchmarks' loss. */
    public static NDArray loss(UNet2DConditionModel unet, NDList in) {
        // subtracting the float32 noise promotes a float16 prediction differentiably (DJL's cast would cut the graph)
        return unet.forward(in.get(0), in.get(1), in.get(2)).sub(in.get(3)).square().mean();
    }

    /** Prints sdspark's result for each method; with a reference script, then the reference's and their comparison. */
    public static void report(Settings settings, PrintStream out) {
        for (Method method : settings.methods()) {
            Result sdspark = run(method, settings);
            out.println(json(sdspark));
            if (settings.reference() != null) {
                Result reference = ReferenceBenchmark.run(settings.reference(), settings.referenceArguments(method), Result.class);
                out.println(json(reference));
                out.println(json(Comparison.of(sdspark, reference)));
            }
        }
    }

    private static String json(Object value) {
        try {
            return new ObjectMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
