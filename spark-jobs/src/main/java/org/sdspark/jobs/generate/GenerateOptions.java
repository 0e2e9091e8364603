package org.sdspark.jobs.generate;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.UsageError;
import org.sdspark.model.pipeline.GenerationSettings;
import org.sdspark.model.pipeline.LoadOptions;
import org.sdspark.model.pipeline.MicroConditioning;
import org.sdspark.model.scheduler.Samplers;

/**
 * The command line of `sdspark generate`, checked before any model is loaded: every bad value
 * fails naming its option. Width and height may be left to the model's native size; SDXL's
 * micro-conditioning ({@code micro}) to diffusers' defaults.
 */
record GenerateOptions(Path model, LoadOptions load, String prompt, String negativePrompt,
                       int steps, double guidance, String scheduler, OptionalLong seed, OptionalInt width,
                       OptionalInt height, int numImages, int clipSkip, boolean fp16, double eta, Path out,
                       List<AdapterArguments.Lora> loras, List<AdapterArguments.Embedding> embeddings,
                       MicroConditioning micro) {

    static final Set<String> WITH_VALUE = union(PipelineArguments.WITH_VALUE, Set.of("--prompt", "--negative-prompt",
            "--steps", "--guidance", "--scheduler", "--eta", "--seed", "--width", "--height", "--num-images", "--clip-skip",
            "--out", "--lora", "--embedding", "--original-size", "--crop-top-left", "--target-size"));
    static final Set<String> FLAGS = union(PipelineArguments.FLAGS, Set.of("--fp16"));
    static final int DEFAULT_STEPS = 30;
    static final double DEFAULT_GUIDANCE = 7.5;
    static final String DEFAULT_SCHEDULER = "ddim";

    static GenerateOptions parse(List<String> args) {
        Options o = Options.parse(args, WITH_VALUE, FLAGS);
        Path model = PipelineArguments.model(o);
        LoadOptions load = PipelineArguments.loadOptions(o, o.flag("--fp16") ? DataType.FLOAT16 : DataType.FLOAT32);
        String prompt = required(o, "--prompt");
        String scheduler = o.value("--scheduler").orElse(DEFAULT_SCHEDULER);
        if (!Samplers.isKnown(scheduler)) {
            throw new UsageError("--scheduler must be one of " + String.join(", ", Samplers.NAMES)
                    + " (or an A1111 label such as \"DPM++ 2M Karras\", or a diffusers class such as "
                    + "DPMSolverMultistepScheduler), got '" + scheduler + "'");
        }
        double eta = number(o, "--eta", 0);
        if (!(eta >= 0 && eta <= 1)) {
            throw new UsageError("--eta must be a number in [0, 1], got " + eta);
        }
        if (eta > 0 && Samplers.fromLabel(scheduler).filter(name -> !name.equals("ddim")).isPresent()) {
            throw new UsageError("--eta is DDIM's noise; --scheduler " + scheduler + " takes none");
        }
        double guidance = number(o, "--guidance", DEFAULT_GUIDANCE);
        if (guidance < 0 || Double.isNaN(guidance) || Double.isInfinite(guidance)) {
            throw new UsageError("--guidance must be a number >= 0, got " + guidance);
        }
        OptionalLong seed = o.value("--seed").isEmpty() ? OptionalLong.empty() : OptionalLong.of(seed(o.value("--seed").get()));
        int numImages = o.intValue("--num-images", 1);
        if (seed.isPresent() && seed.getAsLong() + numImages - 1 > Integer.MAX_VALUE) {
            throw new UsageError("--seed + --num-images - 1 must stay <= " + Integer.MAX_VALUE);
        }
        Path out = Path.of(required(o, "--out"));
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UsageError("--out " + out + " exists and is not a directory");
        }
        return new GenerateOptions(model, load, prompt,
                o.value("--negative-prompt").orElse(""), o.intValue("--steps", DEFAULT_STEPS), guidance, scheduler, seed,
                side(o, "--width"), side(o, "--height"), numImages, o.intValue("--clip-skip", 1), o.flag("--fp16"), eta, out,
                AdapterArguments.loras(o.all("--lora")), AdapterArguments.embeddings(o.all("--embedding")), micro(o));
    }

    private static MicroConditioning micro(Options o) {
        int[] crop = pair(o, "--crop-top-left", 0);
        return new MicroConditioning(size(o, "--original-size"), crop[0], crop[1], size(o, "--target-size"));
    }

    private static MicroConditioning.Size size(Options o, String name) {
        if (o.value(name).isEmpty()) {
            return null;
        }
        int[] wh = pair(o, name, 1);
        return new MicroConditioning.Size(wh[0], wh[1]);
    }

    /** "A,B" with both at least {@code min}; "0,0" when absent. */
    private static int[] pair(Options o, String name, int min) {
        Optional<String> v = o.value(name);
        if (v.isEmpty()) {
            return new int[2];
        }
        String[] parts = v.get().split(",", -1);
        try {
            if (parts.length == 2) {
                int[] out = {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
                if (out[0] >= min && out[1] >= min) {
                    return out;
                }
            }
        } catch (NumberFormatException e) {
            // reported below with the expected form
        }
        throw new UsageError(name + " must be two integers >= " + min + " as " + (min == 0 ? "X,Y" : "W,H")
                + ", got '" + v.get() + "'");
    }

    /** @param sampler the --scheduler value resolved to a sampler name with the model's scheduler config */
    GenerationSettings settings(String sampler, int defaultSide, long randomSeed) {
        if (eta > 0 && !sampler.equals("ddim")) {
            throw new UsageError("--eta is DDIM's noise; --scheduler " + scheduler + " is " + sampler + ", which takes none");
        }
        return new GenerationSettings(prompt, negativePrompt, steps, guidance, sampler, seed.orElse(randomSeed),
                width.orElse(defaultSide), height.orElse(defaultSide), numImages, clipSkip, fp16, eta, micro);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static String required(Options o, String name) {
        return o.value(name).orElseThrow(() -> new UsageError(name + " is required (see --help)"));
    }

    private static OptionalInt side(Options o, String name) {
        if (o.value(name).isEmpty()) {
            return OptionalInt.empty();
        }
        int v = o.intValue(name, 0);
        if (v % 8 != 0) {
            throw new UsageError(name + " must be a multiple of 8, got " + v);
        }
        return OptionalInt.of(v);
    }

    private static double number(Options o, String name, double fallback) {
        Optional<String> v = o.value(name);
        try {
            return v.isEmpty() ? fallback : Double.parseDouble(v.get());
        } catch (NumberFormatException e) {
            throw new UsageError(name + " must be a number, got '" + v.get() + "'");
        }
    }

    private static long seed(String text) {
        try {
            long s = Long.parseLong(text);
            if (s < 0 || s > Integer.MAX_VALUE) {
                throw new UsageError("--seed must be in 0.." + Integer.MAX_VALUE + ", got " + text);
            }
            return s;
        } catch (NumberFormatException e) {
            throw new UsageError("--seed must be an integer, got '" + text + "'");
        }
    }
}
