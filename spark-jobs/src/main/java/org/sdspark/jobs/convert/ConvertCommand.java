package org.sdspark.jobs.convert;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.UsageError;
import org.sdspark.jobs.generate.PipelineArguments;
import org.sdspark.model.pipeline.LoadOptions;
import org.sdspark.model.pipeline.StableDiffusionPipeline;

/** `sdspark convert`: a pipeline from one checkpoint layout to the other, tensors unchanged. */
public final class ConvertCommand implements Command {
    private static final Set<String> LAYOUTS = Set.of("diffusers", "single-file");

    @Override
    public String name() {
        return "convert";
    }

    @Override
    public String summary() {
        return "convert a model (diffusers folder, .safetensors or .ckpt) to a diffusers folder or a single .safetensors";
    }

    @Override
    public String help() {
        return """
                usage: sdspark convert --model PATH --to diffusers|single-file --out PATH [options]

                Loads a Stable Diffusion 1.x/2.x or SDXL pipeline (a diffusers folder, a .safetensors single
                file, or a .ckpt/.pt/.bin PyTorch checkpoint, its EMA weights with --ema), checks every
                tensor against its config, and writes it as safetensors with the same values in float32:
                a diffusers folder (model_index.json and component folders) or one .safetensors file
                with the original CompVis/A1111 keys and the configs embedded in its metadata.

                options:
                %s
                  --to LAYOUT              diffusers | single-file
                  --out PATH               the folder or .safetensors file to write; must not exist yet
                """.formatted(PipelineArguments.MODEL_HELP);
    }

    @Override
    public int run(List<String> args) throws Exception {
        Set<String> withValue = new HashSet<>(PipelineArguments.WITH_VALUE);
        withValue.addAll(Set.of("--to", "--out"));
        Options o = Options.parse(args, withValue, PipelineArguments.FLAGS);
        Path model = PipelineArguments.model(o);
        LoadOptions load = PipelineArguments.loadOptions(o, DataType.FLOAT32);
        String to = o.value("--to").orElseThrow(() -> new UsageError("--to is required: diffusers or single-file"));
        if (!LAYOUTS.contains(to)) {
            throw new UsageError("--to must be diffusers or single-file, got '" + to + "'");
        }
        Path out = Path.of(o.value("--out").orElseThrow(() -> new UsageError("--out is required (see --help)")));
        if (Files.exists(out)) {
            throw new UsageError("--out " + out + " exists; convert never overwrites");
        }
        if (to.equals("single-file") && !out.getFileName().toString().endsWith(".safetensors")) {
            throw new UsageError("--out " + out + " must end in .safetensors for a single file");
        }
        long started = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager();
             StableDiffusionPipeline pipeline = PipelineArguments.load(manager, model, load)) {
            if (to.equals("diffusers")) {
                pipeline.saveDiffusers(out);
            } else {
                pipeline.saveSingleFile(out);
            }
        }
        System.err.printf("convert: %s -> %s (%s) in %.1f s%n", model, out, to, (System.nanoTime() - started) / 1e9);
        System.out.println(out);
        return 0;
    }
}
