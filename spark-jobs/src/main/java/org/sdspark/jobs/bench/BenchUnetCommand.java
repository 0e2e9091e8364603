package org.sdspark.jobs.bench;

import java.util.List;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.UsageError;
import org.sdspark.model.unet.UNetBenchmark;

/** `sdspark bench unet`: UNet samples per second and peak memory on the device DJL finds, as JSON lines. */
public final class BenchUnetCommand implements Command {

    @Override
    public String name() {
        return "bench unet";
    }

    @Override
    public String summary() {
        return "time UNet forward and forward+backward (SD 1.5 shapes, random weights), optionally against diffusers";
    }

    @Override
    public String help() {
        return """
                usage: sdspark %s

                Builds a UNet of Stable Diffusion 1.5 shapes with random weights on the device DJL
                finds (a GPU where present, else the CPU) and prints one JSON line: impl, device,
                batch, resolution, dtype, steps, forward_samples_per_s, train_samples_per_s
                (forward + backward to every parameter) and peak_train_gib (peak GPU memory of the
                training steps; null on the CPU or without the torch extension).

                  --batch N           samples per step (default 1)
                  --resolution PX     image side, a multiple of 8; latents are PX/8 (default 512)
                  --fp16              float16 weights and activations (default float32)
                  --steps K           timed steps (default 20)
                  --warmup W          untimed steps first (default 5)
                  --reference SCRIPT  then run SCRIPT (model/src/main/python/bench_unet_reference.py:
                                      diffusers' UNet, PYTHONPATH=<diffusers>/src) with the same
                                      shapes under $PYTHON or python3, print its line and one with
                                      train_speed_ratio, forward_speed_ratio, peak_memory_ratio
                """.formatted(UNetBenchmark.USAGE);
    }

    @Override
    public int run(List<String> args) {
        UNetBenchmark.Settings settings;
        try {
            settings = UNetBenchmark.Settings.parse(args);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        UNetBenchmark.report(settings, System.out);
        return 0;
    }
}
