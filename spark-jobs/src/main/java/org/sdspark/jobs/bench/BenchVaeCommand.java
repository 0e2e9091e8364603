package org.sdspark.jobs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.UsageError;
import org.sdspark.model.vae.VaeEncodeBenchmark;

/** `sdspark bench vae`: VAE-encode images/s of the latent cache on the device DJL finds, as JSON lines. */
public final class BenchVaeCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("--model", "--batch", "--resolution", "--steps", "--warmup", "--reference");

    @Override
    public String name() {
        return "bench vae";
    }

    @Override
    public String summary() {
        return "time VAE encoding as cache-latents runs it (images/s, peak memory), optionally against diffusers";
    }

    @Override
    public String help() {
        return """
                usage: sdspark bench vae [--model DIR] [--batch N] [--resolution PX] [--fp16] [--steps K]
                                         [--warmup W] [--reference SCRIPT]

                Times what cache-latents does per batch on the device DJL finds (a GPU where present,
                else the CPU): square [-1, 1] images from host memory through the VAE's encoder to
                the latents' mean and log-variance back in host memory. Prints one JSON line: impl,
                device, batch, resolution, dtype, steps, images_per_s and peak_gib (peak GPU memory
                of the timed calls; null on the CPU or without the torch extension).

                  --model DIR         a pipeline folder (its vae/) or a VAE folder (default: random
                                      weights of Stable Diffusion's VAE shapes)
                  --batch N           images per call (default 8)
                  --resolution PX     image side, a multiple of 8 (default 512)
                  --fp16              float16 weights and activations (default float32)
                  --steps K           timed calls (default 20)
                  --warmup W          untimed calls first (default 5)
                  --reference SCRIPT  then run SCRIPT (model/src/main/python/bench_vae_encode_reference.py:
                                      diffusers' AutoencoderKL, PYTHONPATH=<diffusers>/src) with the
                                      same settings under $PYTHON or python3, print its line and one
                                      with speed_ratio and peak_memory_ratio
                """;
    }

    @Override
    public int run(List<String> args) throws Exception {
        Options o = Options.parse(args, OPTIONS, Set.of("--fp16"));
        VaeEncodeBenchmark.Settings settings;
        try {
            settings = new VaeEncodeBenchmark.Settings(o.value("--model").map(Path::of).orElse(null), o.intValue("--batch", 8),
                    o.intValue("--resolution", 512), o.flag("--fp16"), o.intValue("--steps", 20), o.intValue("--warmup", 5, 0),
                    o.value("--reference").map(Path::of).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        if (settings.model() != null && !Files.isDirectory(settings.model())) {
            throw new UsageError("--model " + settings.model() + " is not a folder");
        }
        VaeEncodeBenchmark.report(settings, System.out);
        return 0;
    }
}
