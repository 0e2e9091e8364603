package org.sdspark.jobs.bench;

import java.util.List;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.UsageError;
import org.sdspark.model.unet.UNetBenchmark;

/** `sdspark bench unet`: UNet seconds per sample on the device DJL finds, as one JSON line. */
public final class BenchUnetCommand implements Command {

    @Override
    public String name() {
        return "bench unet";
    }

    @Override
    public String summary() {
        return "time UNet forward and forward+backward per sample (SD 1.5 shapes, random weights)";
    }

    @Override
    public String help() {
        return """
                usage: sdspark %s

                Builds a UNet of Stable Diffusion 1.5 shapes with random weights on the device DJL
                finds (a GPU where present, else the CPU) and prints one JSON line: device, batch,
                resolution, dtype, steps, forward_s_per_sample, forward_backward_s_per_sample.

                  --batch N        samples per step (default 1)
                  --resolution PX  image side, a multiple of 8; latents are PX/8 (default 512)
                  --fp16           float16 weights and activations (default float32)
                  --steps K        timed steps (default 2)
                  --warmup W       untimed steps first (default 1)
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
        System.out.println(UNetBenchmark.run(settings).toJson());
        return 0;
    }
}
