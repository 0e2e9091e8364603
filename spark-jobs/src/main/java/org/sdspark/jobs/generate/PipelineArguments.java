package org.sdspark.jobs.generate;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.UsageError;
import org.sdspark.model.diffusers.ConfigException;
import org.sdspark.model.io.SafeTensorsException;
import org.sdspark.model.io.torch.TorchCheckpointException;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.pipeline.LoadOptions;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.scheduler.SchedulerConfigException;

/** `--model` and `--config` as every command that loads a pipeline reads them, checked before loading. */
public final class PipelineArguments {
    /** Help lines of the options that say what to load, indented as a command's option list. */
    public static final String MODEL_HELP = String.join("\n",
            "  --model PATH             a diffusers pipeline folder (model_index.json), or one checkpoint file",
            "                           with CompVis/A1111 keys: .safetensors, or a PyTorch pickle (.ckpt, .pt,",
            "                           .bin; zip or legacy torch.save format) read by a restricted unpickler",
            "                           that only rebuilds tensors and refuses anything else (never runs code)",
            "  --config DIR             a diffusers pipeline folder whose configs and tokenizer describe a",
            "                           single-file checkpoint (default: the file's own metadata, else",
            "                           SD 1.x/2.x/SDXL configs inferred from its tensor shapes)",
            "  --v-prediction           the checkpoint predicts v (SD 2.x 768-v models); weights cannot tell",
            "  --variant NAME           a diffusers folder's weights variant, e.g. fp16 for",
            "                           diffusion_pytorch_model.fp16.safetensors (default: the plain files, or",
            "                           the only variant a folder has)",
            "  --ema                    a training checkpoint's EMA weights (model_ema.*, as diffusers'",
            "                           conversion --extract_ema); default: the training weights");

    /** The options of {@link #MODEL_HELP}: with a value, and flags. */
    public static final Set<String> WITH_VALUE = Set.of("--model", "--config", "--variant");
    public static final Set<String> FLAGS = Set.of("--v-prediction", "--ema");

    private PipelineArguments() {
    }

    public static Path model(Options o) {
        Path model = Path.of(o.value("--model").orElseThrow(() -> new UsageError("--model is required (see --help)")));
        if (!Files.exists(model)) {
            throw new UsageError("--model " + model + " does not exist (a diffusers pipeline folder, or a .safetensors or .ckpt"
                    + " checkpoint)");
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

    /** What {@link #MODEL_HELP}'s options ask for, with {@code dataType} for the UNet and text encoder. */
    public static LoadOptions loadOptions(Options o, DataType dataType) {
        Optional<String> variant = o.value("--variant");
        if (variant.isPresent() && !variant.get().matches("[A-Za-z0-9_-]+")) {
            throw new UsageError("--variant must be a name such as fp16 (letters, digits, '_', '-'), got '" + variant.get() + "'");
        }
        return new LoadOptions(config(o).orElse(null), o.flag("--v-prediction"), dataType, variant.orElse(null), o.flag("--ema"));
    }

    // A model that does not load is the user's input to fix: one message naming the file and key, no stack trace.
    public static StableDiffusionPipeline load(NDManager manager, Path model, LoadOptions options) throws IOException {
        try {
            return StableDiffusionPipeline.load(manager, model, options);
        } catch (ModelLoadException | SafeTensorsException | TorchCheckpointException | SchedulerConfigException
                 | ConfigException e) {
            throw new UsageError(e.getMessage(), e);
        }
    }
}
