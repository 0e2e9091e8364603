package org.sdspark.model.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import org.sdspark.model.clip.ClipTextConfig;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.scheduler.SchedulerConfig;
import org.sdspark.model.unet.UNetConfig;
import org.sdspark.model.vae.VaeConfig;

/** The typed configs and the tokenizer of a pipeline, read from its {@link PipelineFiles}. */
public record PipelineConfigs(UNetConfig unet, VaeConfig vae, ClipTextConfig textEncoder, SchedulerConfig scheduler,
                              ClipTokenizer tokenizer) {

    /** The same configs with another tokenizer (e.g. one that learned textual inversion tokens). */
    public PipelineConfigs withTokenizer(ClipTokenizer other) {
        return new PipelineConfigs(unet, vae, textEncoder, scheduler, other);
    }

    /** Reads the configs of a diffusers folder in place. */
    public static PipelineConfigs read(Path folder) throws IOException {
        return new PipelineConfigs(
                UNetConfig.read(folder.resolve(PipelineFiles.UNET_CONFIG)),
                VaeConfig.read(folder.resolve(PipelineFiles.VAE_CONFIG)),
                ClipTextConfig.load(folder.resolve(PipelineFiles.TEXT_ENCODER_CONFIG)),
                SchedulerConfig.load(folder.resolve(PipelineFiles.SCHEDULER_CONFIG)),
                ClipTokenizer.load(folder.resolve(PipelineFiles.TOKENIZER)));
    }

    /** Reads configs held in memory (embedded in a checkpoint, or inferred) through a temporary folder. */
    public static PipelineConfigs of(PipelineFiles files, String source) throws IOException {
        files.requireComplete(source);
        Path dir = files.materialise();
        try {
            return read(dir);
        } catch (RuntimeException e) {
            throw new ModelLoadException(source + ": " + e.getMessage().replace(dir.toString(), "[configs]"));
        } finally {
            PipelineFiles.delete(dir);
        }
    }
}
