package org.sdspark.model.train;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sdspark.model.clip.ClipTextModel;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.nn.AdapterPlan;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.scheduler.SchedulerConfig;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.vae.AutoencoderKL;

/**
 * The models a run trains, from a loaded pipeline (any checkpoint kind it reads, in the run's
 * precision): the UNet and text encoder rebuilt over the pipeline's own weights with the adapter
 * plans attached (fresh adapters, initialised by the plan), the frozen VAE, tokenizer and noise
 * schedule. Owns the pipeline.
 */
public final class TrainableModels implements AutoCloseable {
    public static final String UNET = "unet";
    public static final String TEXT_ENCODER = "text_encoder";

    private final StableDiffusionPipeline pipeline;
    private final UNet2DConditionModel unet;
    private final ClipTextModel textEncoder;

    private TrainableModels(StableDiffusionPipeline pipeline, UNet2DConditionModel unet, ClipTextModel textEncoder) {
        this.pipeline = pipeline;
        this.unet = unet;
        this.textEncoder = textEncoder;
    }

    /** {@code unetPlan} / {@code textPlan} may be null: no adapters on that component. */
    public static TrainableModels of(StableDiffusionPipeline pipeline, AdapterPlan unetPlan, AdapterPlan textPlan) {
        UNet2DConditionModel unet = pipeline.unet();
        ClipTextModel text = pipeline.textEncoder();
        if (unetPlan != null) {
            StateDict weights = unet.stateDict();
            unet = UNet2DConditionModel.from(unet.config(), weights.withAdapters(unetPlan,
                    unetPlan.freshAdapters(parent(weights), UNET, unet.dataType())));
        }
        if (textPlan != null) {
            StateDict weights = text.weights();
            text = ClipTextModel.of(text.config(), weights.withAdapters(textPlan,
                    textPlan.freshAdapters(parent(weights), TEXT_ENCODER, unet.dataType())));
        }
        return new TrainableModels(pipeline, unet, text);
    }

    private static NDManager parent(StateDict weights) {
        return weights.manager().getParentManager();
    }

    /** Every trainable tensor by full key: {@code unet.*}, {@code text_encoder.*}, adapters included. */
    public ParameterTree tree() {
        Map<String, StateDict> components = new LinkedHashMap<>();
        components.put(UNET, unet.stateDict());
        components.put(TEXT_ENCODER, textEncoder.weights());
        return ParameterTree.of(components);
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public ClipTextModel textEncoder() {
        return textEncoder;
    }

    public AutoencoderKL vae() {
        return pipeline.vae();
    }

    public ClipTokenizer tokenizer() {
        return pipeline.configs().tokenizer();
    }

    public SchedulerConfig schedulerConfig() {
        return pipeline.configs().scheduler();
    }

    public StableDiffusionPipeline pipeline() {
        return pipeline;
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
