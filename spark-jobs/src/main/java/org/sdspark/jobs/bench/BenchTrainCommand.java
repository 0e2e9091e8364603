package org.sdspark.jobs.bench;

import java.util.List;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.UsageError;
import org.sdspark.model.train.TrainStepBenchmark;

/** `sdspark bench train`: samples per second and peak memory of whole training steps, as JSON lines. */
public final class BenchTrainCommand implements Command {

    @Override
    public String name() {
        return "bench train";
    }

    @Override
    public String summary() {
        return "time full fine-tune and LoRA training steps (optimizer included), optionally against diffusers";
    }

    @Override
    public String help() {
        return """
                usage: sdspark %s

                Builds a UNet of Stable Diffusion 1.5 shapes (or --unet-config's) with random weights on the
                device DJL finds (a GPU where present, else the CPU) and times the training loop's whole
                step on random latents: forward, MSE to the noise, backward, then the update (flat fp32
                gradients, loss scaling with --fp16, clipping at 1.0, AdamW on fp32 master weights, the
                masters copied back, the EMA with --ema), for a full fine-tune and for LoRA on the
                attention projections.
                Prints one JSON line per method: impl, method, device, batch, resolution, dtype, ema, steps,
                trained_parameters, samples_per_s, peak_gib (the timed steps' peak: GPU allocator with the
                torch extension, else the process's resident set on the CPU).

                  --method M          full, lora or both (default both)
                  --batch N           samples per step (default 1)
                  --resolution PX     image side, a multiple of 8; latents are PX/8 (default 512)
                  --fp16              float16 model and activations, fp32 masters (default float32)
                  --ema               also keep an EMA of the trained weights (decay 0.9999), as
                                      train_text_to_image.py --use_ema
                  --steps K           timed steps, at least 20 (default 20)
                  --warmup W          untimed steps first, at least 5 (default 5)
                  --lora-rank R       LoRA rank (default 4)
                  --unet-config FILE  a diffusers UNet config.json for other shapes
                  --reference SCRIPT  then run SCRIPT (model/src/main/python/bench_train_reference.py:
                                      diffusers' step with AdamW, autocast + GradScaler, SDPA;
                                      PYTHONPATH=<diffusers>/src, peft for LoRA) with the same shapes
                                      under $PYTHON or python3, print its line and one with
                                      speed_ratio and peak_memory_ratio
                """.formatted(TrainStepBenchmark.USAGE);
    }

    @Override
    public int run(List<String> args) {
        TrainStepBenchmark.Settings settings;
        try {
            settings = TrainStepBenchmark.Settings.parse(args);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        TrainStepBenchmark.report(settings, System.out);
        return 0;
    }
}
