package org.sdspark.model.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import org.sdspark.model.clip.ClipTextConfig;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.scheduler.SchedulerConfig;
import org.sdspark.model.unet.UNetConfig;
import org.sdspark.model.vae.VaeConfig;

/**
 * The typed configs and the tokenizer of a pipeline, read from its {@link PipelineFiles}; {@code xl}
 * holds SDXL's second text encoder and tokenizer, null for SD 1.x/2.x.
 */
public record PipelineConfigs(UNetConfig unet, VaeConfig vae, ClipTextConfig textEncoder, SchedulerConfig scheduler,
                              ClipTokenizer tokenizer, XlConfigs xl) {

    public PipelineConfigs {
        boolean textTime = unet.textTime() != null;
        if (textTime != (xl != null)) {
            throw new ModelLoadException(textTime
                    ? "the UNet takes SDXL's text_time conditioning but the pipeline has no text_encoder_2"
                    : "the pipeline has a text_encoder_2 but its UNet takes no pooled text embedding (no addition_embed_type)");
        }
        if (xl != null) {
            int width = textEncoder.hiddenSize() + xl.textEncoder2().hiddenSize();
            int pooled = xl.textEncoder2().projectionDim();
            if (unet.crossAttentionDim() != width || unet.textTime().textEmbedsDim() != pooled) {
                throw new ModelLoadException("the UNet expects " + unet.crossAttentionDim() + "-wide prompt embeddings and a "
                        + unet.textTime().textEmbedsDim() + "-wide pooled embedding; the text encoders give " + width
                        + " (" + textEncoder.hiddenSize() + " + " + xl.textEncoder2().hiddenSize() + ") and " + pooled);
            }
        }
    }

    /** The same configs with another tokenizer (e.g. one that learned textual inversion tokens). */
    public PipelineConfigs withTokenizer(ClipTokenizer other) {
        return new PipelineConfigs(unet, vae, textEncoder, scheduler, other, xl);
    }

    /** Reads the configs of a diffusers folder in place. */
    public static PipelineConfigs read(Path folder) throws IOException {
        return new PipelineConfigs(
                UNetConfig.read(folder.resolve(PipelineFiles.UNET_CONFIG)),
                VaeConfig.read(folder.resolve(PipelineFiles.VAE_CONFIG)),
                ClipTextConfig.load(folder.resolve(PipelineFiles.TEXT_ENCODER_CONFIG)),
                SchedulerConfig.load(folder.resolve(PipelineFiles.SCHEDULER_CONFIG)),
                ClipTokenizer.load(folder.resolve(PipelineFiles.TOKENIZER)),
                XlConfigs.read(folder));
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
