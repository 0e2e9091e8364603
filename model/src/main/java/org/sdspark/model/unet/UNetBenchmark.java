package org.sdspark.model.unet;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Times a randomly initialised UNet (Stable Diffusion 1.5 shapes by default) on the device DJL
 * finds: forward, and forward + backward to every parameter (a training step without the
 * optimiser), in seconds per sample after warm-up steps.
 */
public final class UNetBenchmark {
    public static final String USAGE = "bench unet [--batch N] [--resolution PX] [--fp16] [--steps K] [--warmup W]";
    private static final int TEXT_TOKENS = 77;

    private UNetBenchmark() {
    }

    /** @param resolution image side in pixels; the latents are resolution / 8 */
    public record Settings(int batch, int resolution, boolean fp16, int steps, int warmup) {
        public Settings {
            if (batch < 1 || steps < 1 || warmup < 0) {
                throw new IllegalArgumentException("need batch >= 1, steps >= 1, warmup >= 0; got batch " + batch
                        + ", steps " + steps + ", warmup " + warmup);
            }
            if (resolution < 8 || resolution % 8 != 0) {
                throw new IllegalArgumentException("resolution must be a positive multiple of 8, got " + resolution);
            }
        }

        /** Defaults: batch 1, resolution 512, float32, 2 timed steps after 1 warm-up step. */
        public static Settings parse(List<String> args) {
            int batch = 1;
            int resolution = 512;
            boolean fp16 = false;
            int steps = 2;
            int warmup = 1;
            Iterator<String> it = args.iterator();
            while (it.hasNext()) {
                String arg = it.next();
                switch (arg) {
                    case "--batch" -> batch = intValue(arg, it);
                    case "--resolution" -> resolution = intValue(arg, it);
                    case "--steps" -> steps = intValue(arg, it);
                    case "--warmup" -> warmup = intValue(arg, it);
                    case "--fp16" -> fp16 = true;
                    default -> throw new IllegalArgumentException("unknown option " + arg + "; usage: " + USAGE);
                }
            }
            return new Settings(batch, resolution, fp16, steps, warmup);
        }

        private static int intValue(String option, Iterator<String> it) {
            if (!it.hasNext()) {
                throw new IllegalArgumentException(option + " needs a value; usage: " + USAGE);
            }
            String value = it.next();
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs an integer, not '" + value + "'");
            }
        }
    }

    /** One benchmark run; {@link #toJson} is the line {@code sdspark bench unet} prints. */
    public record Result(String device, int batch, int resolution, String dtype, int steps,
                         @JsonProperty("forward_s_per_sample") double forwardSecondsPerSample,
                         @JsonProperty("forward_backward_s_per_sample") double forwardBackwardSecondsPerSample) {

        public String toJson() {
            try {
                return new ObjectMapper().writeValueAsString(this);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
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
            Step training = scope -> {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray noise = scope.randomNormal(sample).toType(type, false);
                    NDArray prediction = unet.forward(scope.randomNormal(sample), timesteps(scope, s.batch()), scope.randomNormal(text));
                    collector.backward(prediction.sub(noise).square().mean());
                }
                anyParameter.getGradient().sum().getFloat(); // waits for the backward pass on asynchronous devices
            };
            double trainingSeconds = time(manager, training, s);
            return new Result(device.toString(), s.batch(), s.resolution(), type.toString(), s.steps(),
                    forwardSeconds / s.batch(), trainingSeconds / s.batch());
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
            try (NDManager scope = manager.newSubManager()) {
                step.run(scope);
            }
        }
        long start = System.nanoTime();
        for (int i = 0; i < s.steps(); i++) {
            try (NDManager scope = manager.newSubManager()) {
                step.run(scope);
            }
        }
        return (System.nanoTime() - start) / 1e9 / s.steps();
    }

    /** {@code java ... UNetBenchmark [--batch N] [--resolution PX] [--fp16] [--steps K] [--warmup W]}: prints one JSON line. */
    public static void main(String[] args) {
        System.out.println(run(Settings.parse(Arrays.asList(args))).toJson());
    }
}
