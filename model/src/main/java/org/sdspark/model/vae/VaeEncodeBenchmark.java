package org.sdspark.model.vae;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.sdspark.model.bench.BenchmarkArguments;
import org.sdspark.model.bench.ReferenceBenchmark;
import org.sdspark.model.nn.CudaMemory;
import org.sdspark.model.nn.TorchExtension;

/**
 * Times the latent cache's VAE work on the device DJL finds: a batch of square [-1, 1] images from
 * host memory through the encoder to the mean and log-variance back in host memory, as
 * {@code cache-latents} runs it per batch. Random weights of Stable Diffusion's VAE shapes, or a
 * VAE folder. Optionally a reference script times diffusers' AutoencoderKL the same way in the
 * same invocation.
 */
public final class VaeEncodeBenchmark {
    private static final double GIB = 1024.0 * 1024 * 1024;

    private VaeEncodeBenchmark() {
    }

    /**
     * @param model a pipeline or VAE folder, or null for random weights of SD's VAE shapes
     * @param reference the reference script to run after sdspark's, or null
     */
    public record Settings(Path model, int batch, int resolution, boolean fp16, int steps, int warmup, Path reference) {
        public Settings {
            BenchmarkArguments.requireCounts(batch, steps, warmup, 1, 0);
            BenchmarkArguments.requireResolution(resolution);
        }

        /** The options that give a reference script the same work. */
        List<String> referenceArguments() {
            List<String> args = new ArrayList<>(List.of("--batch", String.valueOf(batch), "--resolution",
                    String.valueOf(resolution), "--steps", String.valueOf(steps), "--warmup", String.valueOf(warmup)));
            if (fp16) {
                args.add("--fp16");
            }
            if (model != null) {
                args.addAll(List.of("--model", model.toString()));
            }
            return args;
        }
    }

    /** One implementation's run as one JSON line; a reference script prints the same fields. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Result(String impl, String device, int batch, int resolution, String dtype, int steps,
                         @JsonProperty("images_per_s") double imagesPerSecond,
                         @JsonProperty("peak_gib") Double peakGib) {

        public String toJson() {
            return ReferenceBenchmark.jsonLine(this);
        }
    }

    /** sdspark against the reference: above 1, sdspark is faster / uses more memory. */
    public record Comparison(@JsonProperty("speed_ratio") double speedRatio,
                             @JsonProperty("peak_memory_ratio") Double peakMemoryRatio) {

        public static Comparison of(Result sdspark, Result reference) {
            return new Comparison(sdspark.imagesPerSecond() / reference.imagesPerSecond(),
                    sdspark.peakGib() == null || reference.peakGib() == null ? null : sdspark.peakGib() / reference.peakGib());
        }

        public String toJson() {
            return ReferenceBenchmark.jsonLine(this);
        }
    }

    /** Stable Diffusion 1.x/2.x's VAE (and SDXL's, which has the same shapes). */
    public static VaeConfig stableDiffusion() {
        return new VaeConfig(3, 3, 4, List.of(128, 256, 512, 512), 2, 32, "silu", 0.18215, null, true, true, true, 512);
    }

    /**
     * Prints sdspark's result on DJL's default device; with a reference script, then the
     * reference's and their comparison, one JSON line each.
     */
    public static void report(Settings settings, PrintStream out) throws IOException {
        Device device = Engine.getInstance().defaultDevice();
        DataType type = settings.fp16() ? DataType.FLOAT16 : DataType.FLOAT32;
        Result sdspark;
        try (VaeImageEncoder encoder = settings.model() != null ? VaeImageEncoder.load(settings.model(), device, type)
                : VaeImageEncoder.random(stableDiffusion(), device, type)) {
            sdspark = run(encoder, device, settings);
        }
        out.println(sdspark.toJson());
        if (settings.reference() != null) {
            Result reference = ReferenceBenchmark.run(settings.reference(), settings.referenceArguments(), Result.class);
            out.println(reference.toJson());
            out.println(Comparison.of(sdspark, reference).toJson());
        }
    }

    static Result run(VaeImageEncoder encoder, Device device, Settings s) {
        int side = s.resolution();
        Random random = new Random(0);
        List<float[]> images = new ArrayList<>(s.batch());
        for (int i = 0; i < s.batch(); i++) {
            float[] pixels = new float[3 * side * side];
            for (int j = 0; j < pixels.length; j++) {
                pixels[j] = random.nextFloat() * 2 - 1;
            }
            images.add(pixels);
        }
        for (int i = 0; i < s.warmup(); i++) {
            encoder.encode(images, side, side, false);
        }
        boolean measuresMemory = device.isGpu() && TorchExtension.isLoaded();
        if (measuresMemory) {
            CudaMemory.resetPeaks(device);
        }
        long start = System.nanoTime();
        for (int i = 0; i < s.steps(); i++) {
            // the latents come back to host memory, so each call has finished when it returns
            encoder.encode(images, side, side, false);
        }
        double seconds = (System.nanoTime() - start) / 1e9 / s.steps();
        Double peak = measuresMemory ? CudaMemory.of(device).peakAllocated() / GIB : null;
        return new Result("sdspark", device.toString(), s.batch(), side, encoder.dataType().toString(), s.steps(),
                s.batch() / seconds, peak);
    }
}
