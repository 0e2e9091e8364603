package org.sdspark.jobs.generate;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.util.cuda.CudaUtils;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.UsageError;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.io.SafeTensorsException;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.pipeline.GenerationMemory;
import org.sdspark.model.pipeline.GenerationOutput;
import org.sdspark.model.pipeline.GenerationSettings;
import org.sdspark.model.pipeline.MicroConditioning;
import org.sdspark.model.pipeline.ProgressLine;
import org.sdspark.model.pipeline.RgbImage;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.pipeline.TextToImage;
import org.sdspark.model.scheduler.Samplers;

/** `sdspark generate`: text-to-image with a Stable Diffusion 1.x/2.x or SDXL pipeline, on the device DJL finds. */
public final class GenerateCommand implements Command {
    private static final double GIB = 1024.0 * 1024 * 1024;

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "text-to-image with a Stable Diffusion 1.x/2.x or SDXL model (PNGs, a grid and generation.json)";
    }

    @Override
    public String help() {
        return """
                usage: sdspark generate --model PATH --prompt TEXT --out DIR [options]

                Generates images with classifier-free guidance, as diffusers' StableDiffusionPipeline
                and StableDiffusionXLPipeline do, on the GPU when DJL finds one, else on the CPU. Writes <index>-seed<seed>.png
                per image, grid.png (all images, in rows) and generation.json (every parameter).
                Image i uses seed + i, so any one image can be made again alone.

                options:
                %s
                  --prompt TEXT            what to draw
                  --negative-prompt TEXT   what to steer away from (default: empty, as diffusers; SDXL
                                           then uses zero embeddings, force_zeros_for_empty_prompt)
                  --steps N                denoising steps (default 30)
                  --guidance G             classifier-free guidance scale; <= 1 turns it off (default 7.5)
                  --scheduler NAME         the sampler (default ddim), its noise schedule from the model's
                                           scheduler_config.json:
                                             ddim                  DDIM (--eta for its noise)
                                             euler, euler-karras   Euler, Euler Karras
                                             euler-a, euler-a-karras  Euler a, Euler a Karras
                                             dpmpp-2m, dpmpp-2m-karras  DPM++ 2M, DPM++ 2M Karras
                                             dpmpp-2m-sde, dpmpp-2m-sde-karras  DPM++ 2M SDE (Karras)
                                             unipc, unipc-karras   UniPC (Karras)
                                             lcm                   LCM (LCM models and LCM-LoRA, 4-8 steps)
                                           A1111's labels work as written ("DPM++ 2M Karras"); a diffusers
                                           class (DPMSolverMultistepScheduler, ...) takes use_karras_sigmas
                                           and algorithm_type from the config, as from_config does
                  --eta E                  DDIM's noise, 0 (deterministic, default) to 1 (DDPM-like)
                  --seed N                 0..2147483647 (default: random, printed and recorded)
                  --width W, --height H    image size, multiples of 8 (default: the model's native
                                           size, sample_size x 8: 512 for SD 1.x, 768 for SD 2.x-v,
                                           1024 for SDXL)
                  --num-images N           images to make, one after the other (default 1)
                  --clip-skip N            1 = the text encoder's last layer, 2 = the penultimate, ...
                                           (A1111's numbering; default 1)
                  --lora FILE[:SCALE]      merge a LoRA/LoCon (.safetensors: diffusers/PEFT or kohya/A1111
                                           layout, LyCORIS LoCon) into the model, its weights times SCALE
                                           (default 1); repeatable, they add up
                  --embedding FILE[:TOKEN] add a textual inversion embedding (.safetensors: diffusers'
                                           {token: vectors} or A1111's emb_params); write TOKEN (default: the
                                           file's token, or for A1111 files the file name) in the prompt;
                                           repeatable
                  --fp16                   run the UNet and text encoder in float16 (GPU); the VAE
                                           decodes in float32 (SDXL's overflows in float16)
                  --original-size W,H      SDXL: the image size the model is told the picture had
                                           before resizing (default: the output size)
                  --crop-top-left X,Y      SDXL: the crop's top-left corner in that image (default 0,0)
                  --target-size W,H        SDXL: the size the model is told to aim for (default: the
                                           output size)
                  --out DIR                output folder (created; existing files of the same name are replaced)
                """.formatted(PipelineArguments.MODEL_HELP);
    }

    @Override
    public int run(List<String> args) throws Exception {
        GenerateOptions options = GenerateOptions.parse(args);
        try (NDManager manager = NDManager.newBaseManager()) {
            long started = System.nanoTime();
            try (StableDiffusionPipeline pipeline = PipelineArguments.load(manager, options.model(), options.load())) {
                System.err.printf("generate: loaded %s in %.1f s on %s%n", options.model(),
                        (System.nanoTime() - started) / 1e9, manager.getDevice());
                if (pipeline.textEncoder2() == null && !options.micro().equals(MicroConditioning.DEFAULT)) {
                    throw new UsageError("--original-size, --crop-top-left and --target-size condition SDXL models; "
                            + options.model() + " is Stable Diffusion 1.x/2.x");
                }
                applyAdapters(pipeline, options);
                int layers = pipeline.configs().textEncoder().numHiddenLayers();
                if (options.clipSkip() > layers) {
                    throw new UsageError("--clip-skip " + options.clipSkip() + " is more than the text encoder's "
                            + layers + " layers");
                }
                warnIfTruncated(pipeline.configs().tokenizer(), "--prompt", options.prompt());
                warnIfTruncated(pipeline.configs().tokenizer(), "--negative-prompt", options.negativePrompt());
                String sampler = sampler(options.scheduler(), pipeline);
                GenerationSettings settings = options.settings(sampler, nativeSide(pipeline),
                        ThreadLocalRandom.current().nextInt(0, Integer.MAX_VALUE - options.numImages() + 1));
                requireMemory(pipeline, settings, manager.getDevice());
                List<RgbImage> images = new TextToImage(pipeline).generate(manager, settings,
                        new ProgressLine(System::nanoTime, line -> System.err.println("generate: " + line)));
                // recorded absolute, so generation.json still names the model when read from elsewhere
                String model = options.model().toAbsolutePath().normalize().toString();
                List<Path> files = GenerationOutput.write(options.out(), model, pipeline.adapters(), settings, images);
                files.forEach(f -> System.out.println(f));
                System.out.println(options.out().resolve("grid.png"));
                System.out.println(options.out().resolve("generation.json"));
            }
        }
        return 0;
    }

    // A file that does not fit the model is the user's input to fix: one message naming the file and keys.
    private static void applyAdapters(StableDiffusionPipeline pipeline, GenerateOptions options) throws IOException {
        try {
            for (AdapterArguments.Lora lora : options.loras()) {
                int layers = pipeline.fuseLora(lora.file(), lora.scale());
                System.err.printf("generate: merged LoRA %s x %s into %d layers%n", lora.file(), lora.scale(), layers);
            }
            for (AdapterArguments.Embedding embedding : options.embeddings()) {
                List<String> tokens = pipeline.loadTextualInversion(embedding.file(), embedding.token());
                System.err.printf("generate: embedding %s: write %s in the prompt (%d vector%s)%n", embedding.file(),
                        tokens.get(0), tokens.size(), tokens.size() == 1 ? "" : "s");
            }
        } catch (ModelLoadException | SafeTensorsException e) {
            throw new UsageError(e.getMessage(), e);
        }
    }

    // As diffusers warns: CLIP reads 77 tokens with its start and end tokens, the rest of a prompt is dropped.
    private static void warnIfTruncated(ClipTokenizer tokenizer, String option, String text) {
        int tokens = tokenizer.tokenIds(text).size();
        int room = tokenizer.maxLength() - 2;
        if (tokens > room) {
            System.err.println("generate: warning: " + option + " is " + tokens + " tokens; the text encoder reads the first "
                    + room + ", the rest is dropped");
        }
    }

    // A diffusers class name reads the variant keys (use_karras_sigmas, algorithm_type) of the model's config.
    private static String sampler(String scheduler, StableDiffusionPipeline pipeline) {
        try {
            return Samplers.resolve(scheduler, pipeline.configs().scheduler());
        } catch (IllegalArgumentException e) {
            throw new UsageError("--scheduler " + scheduler + ": " + e.getMessage() + " (" + pipeline.source()
                    + " scheduler/scheduler_config.json)");
        }
    }

    // Attention memory grows with the square of the pixels: a size that cannot fit is refused here
    // rather than ending in the engine's out-of-memory trace.
    private static void requireMemory(StableDiffusionPipeline pipeline, GenerationSettings s, Device device) {
        double needed = GenerationMemory.lowerBoundBytes(pipeline.weightBytes(), pipeline.configs().unet(),
                pipeline.configs().vae(), s.width(), s.height(), s.guided());
        long available = device.isGpu() ? CudaUtils.getGpuMemory(device).getMax()
                : ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        if (needed > available) {
            throw new UsageError(String.format("--width %d --height %d needs at least %.1f GiB (attention memory grows with"
                    + " the square of the pixels); %s has %.1f GiB, choose a smaller size", s.width(), s.height(),
                    needed / GIB, device, available / GIB));
        }
    }

    private static int nativeSide(StableDiffusionPipeline pipeline) {
        Integer sample = pipeline.configs().unet().sampleSize();
        int factor = 1 << (pipeline.configs().vae().blockOutChannels().size() - 1);
        return (sample == null ? 64 : sample) * factor;
    }
}
