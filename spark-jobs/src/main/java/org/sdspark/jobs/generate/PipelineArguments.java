package org.sdspark.jobs.generate;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.UsageError;
import org.sdspark.model.diffusers.ConfigException;
import org.sdspark.model.io.SafeTensorsException;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.pipeline.LoadOptions;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.scheduler.SchedulerConfigException;

/** `--model` and `--config` as every command that loads a pipeline reads them, checked before loading. */
public final class PipelineArguments {
    /** Help lines of the three options, indented as a command's option list. */
    public static final String MODEL_HELP = String.join("\n",
            "  --model PATH             a diffusers pipeline folder (model_index.json) or a single-file",
            "                           .safetensors checkpoint (CompVis/A1111 keys)",
            "  --config DIR             a diffusers pipeline folder whose configs and tokenizer describe a",
            "                           single-file checkpoint (default: the file's own metadata, else",
            "                           SD 1.x/2.x configs inferred from its tensor shapes)",
            "  --v-prediction           the checkpoint predicts v (SD 2.x 768-v models); weights cannot tell");

    private PipelineArguments() {
    }

    public static Path model(Options o) {
        Path model = Path.of(o.value("--model").orElseThrow(() -> new UsageError("--model is required (see --help)")));
        if (!Files.exists(model)) {
            throw new UsageError("--model " + model + " does not exist (a diffusers pipeline folder or a .safetensors checkpoint)");
        }
        return model;
    }

    public static Optional<Path> config(Options o) {
        Optional<Path> config = o.value("--config").map(Path::of);
        if (config.isPresent() && !Files.isDirectory(config.get())) {
            throw new UsageError("--config " + config.get() + " is not a directory (a diffusers pipeline folder)");
        }
        return config;
    }

    // A model that does not load is the user's input to fix: one message naming the file and key, no stack trace.
    public static StableDiffusionPipeline load(NDManager manager, Path model, LoadOptions options) throws IOException {
        try {
            return StableDiffusionPipeline.load(manager, model, options);
        } catch (ModelLoadException | SafeTensorsException | SchedulerConfigException | ConfigException e) {
            throw new UsageError(e.getMessage(), e);
        }
    }
}
