package org.sdspark.model.blip;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.cuda.CudaUtils;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sdspark.model.bench.ReferenceBenchmark;
import org.sdspark.model.generation.GenerationSettings;
import org.sdspark.model.nn.StateDict;

/**
 * Times BLIP captioning ({@code generate} from pixel values: the vision encoder and every decoding
 * step) on the device DJL finds. Every caption is exactly {@code newTokens} long (the end token is
 * forbidden before that), so the work does not depend on what random weights happen to say and
 * matches the companion transformers script token for token.
 */
public final class BlipBenchmark {
    private static final double GIB = 1024.0 * 1024 * 1024;

    private BlipBenchmark() {
    }

    /** @param model a BLIP folder, or null for random weights of {@link BlipConfig#base()} */
    public record Settings(Path model, int batch, boolean fp16, int beams, int newTokens, int warmup, int steps) {
        public Settings {
            if (batch < 1 || beams < 1 || newTokens < 1 || warmup < 0 || steps < 1) {
                throw new IllegalArgumentException("need batch, beams, new tokens, steps >= 1 and warmup >= 0");
            }
        }

        GenerationSettings generation() {
            // [DEC] + newTokens: the end token only becomes possible once the caption is full.
            return new GenerationSettings(beams, newTokens, 0, 1 + newTokens, 1.0, 1.0);
        }
    }

    /** What {@code sdspark bench caption} prints for sdspark. */
    public record Result(String device, String model, int batch, String dtype, int beams,
                         @JsonProperty("new_tokens") int newTokens, int warmup, int steps,
                         @JsonProperty("seconds_per_batch") double secondsPerBatch,
                         @JsonProperty("images_per_second") double imagesPerSecond,
                         @JsonProperty("peak_device_memory_gib") Double peakDeviceMemoryGib,
                         @JsonProperty("peak_rss_gib") double peakRssGib) {

        public String toJson() {
            return ReferenceBenchmark.jsonLine(this);
        }
    }

    public static Result run(Settings s) throws IOException {
        Device device = Engine.getInstance().defaultDevice();
        DataType type = s.fp16() ? DataType.FLOAT16 : DataType.FLOAT32;
        try (NDManager manager = NDManager.newBaseManager(device);
             BlipForConditionalGeneration model = load(manager, s.model(), type)) {
            int size = model.config().vision().imageSize();
            Shape pixels = new Shape(s.batch(), 3, size, size);
            double peak = 0;
            for (int i = 0; i < s.warmup(); i++) {
                step(manager, model, pixels, s);
                peak = Math.max(peak, deviceMemory(device));
            }
            long start = System.nanoTime();
            for (int i = 0; i < s.steps(); i++) {
                step(manager, model, pixels, s);
                peak = Math.max(peak, deviceMemory(device));
            }
            double seconds = (System.nanoTime() - start) / 1e9 / s.steps();
            return new Result(device.toString(), s.model() == null ? "random blip-base shapes" : s.model().toString(),
                    s.batch(), type.toString(), s.beams(), s.newTokens(), s.warmup(), s.steps(), seconds,
                    s.batch() / seconds, device.isGpu() ? peak / GIB : null, peakRss() / GIB);
        }
    }

    private static BlipForConditionalGeneration load(NDManager manager, Path folder, DataType type) throws IOException {
        if (folder != null) {
            return BlipForConditionalGeneration.load(manager, folder, type);
        }
        StateDict random = StateDict.random(manager, "random BLIP base");
        if (type == DataType.FLOAT32) {
            return BlipForConditionalGeneration.of(BlipConfig.base(), random);
        }
        try (BlipForConditionalGeneration wide = BlipForConditionalGeneration.of(BlipConfig.base(), random)) {
            return BlipForConditionalGeneration.of(BlipConfig.base(), wide.weights().toType(type));
        }
    }

    private static void step(NDManager manager, BlipForConditionalGeneration model, Shape pixels, Settings s) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray batch = scope.randomNormal(pixels);
            long[][] ids = model.generate(batch, null, null, s.generation());
            if (ids[0].length != 1 + s.newTokens()) {
                throw new IllegalStateException("expected " + s.newTokens() + " new tokens, got " + (ids[0].length - 1));
            }
        }
    }

    /** Memory in use on the GPU (whole device), or 0 elsewhere. */
    private static double deviceMemory(Device device) {
        return device.isGpu() ? CudaUtils.getGpuMemory(device).getUsed() : 0;
    }

    /** The process's peak resident memory (Linux VmHWM), where the CPU tensors live too; 0 if unknown. */
    private static double peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
