package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdspark.model.clip.ClipTextModel;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.embedding.TextualInversion;
import org.sdspark.model.lora.LoraWeights;
import org.sdspark.model.nn.AdapterPlan;
import org.sdspark.model.nn.LoraSpec;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.pipeline.StableDiffusionPipeline;
import org.sdspark.model.pipeline.TextToImage;
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
    /** The parameter pattern of textual inversion's added embedding rows. */
    public static final String ADDED_EMBEDDINGS = "text_encoder.*embeddings.token_embedding.added";

    private final StableDiffusionPipeline pipeline;
    private final UNet2DConditionModel unet;
    private final ClipTextModel textEncoder;
    private ClipTokenizer tokenizer;

    private TrainableModels(StableDiffusionPipeline pipeline, UNet2DConditionModel unet, ClipTextModel textEncoder) {
        this.pipeline = pipeline;
        this.unet = unet;
        this.textEncoder = textEncoder;
        this.tokenizer = pipeline.configs().tokenizer();
    }

    /** {@code unetPlan} / {@code textPlan} may be null: no adapters on that component. */
    public static TrainableModels of(StableDiffusionPipeline pipeline, AdapterPlan unetPlan, AdapterPlan textPlan) {
        UNet2DConditionModel unet = pipeline.unet();
        ClipTextModel text = pipeline.textEncoder();
        if (unetPlan != null) {
            unet = adapted(unet, unetPlan);
        }
        if (textPlan != null) {
            StateDict weights = text.weights();
            text = ClipTextModel.of(text.config(), weights.withAdapters(textPlan,
                    textPlan.freshAdapters(parent(weights), TEXT_ENCODER, unet.dataType())));
        }
        return new TrainableModels(pipeline, unet, text);
    }

    /** {@code unet} rebuilt over its own weights with fresh adapters where {@code plan} matches. */
    public static UNet2DConditionModel adapted(UNet2DConditionModel unet, AdapterPlan plan) {
        StateDict weights = unet.stateDict();
        return UNet2DConditionModel.from(unet.config(), weights.withAdapters(plan,
                plan.freshAdapters(parent(weights), UNET, unet.dataType())));
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

    /**
     * The trained adapters of both components as one LoRA, ready for the PEFT/diffusers or
     * kohya/A1111 writers (rank and alpha from each component's plan).
     */
    public LoraWeights lora() {
        Map<String, Map<String, NDArray>> byComponent = new LinkedHashMap<>();
        Map<String, LoraSpec> specs = new LinkedHashMap<>();
        addAdapters(UNET, unet.stateDict(), byComponent, specs);
        addAdapters(TEXT_ENCODER, textEncoder.weights(), byComponent, specs);
        if (byComponent.isEmpty()) {
            throw new IllegalStateException("this run has no adapters to export");
        }
        return LoraWeights.fromAdapters(byComponent, specs);
    }

    private static void addAdapters(String component, StateDict weights, Map<String, Map<String, NDArray>> byComponent,
                                    Map<String, LoraSpec> specs) {
        if (weights.adapters() == null) {
            return;
        }
        byComponent.put(component, weights.adapters().tensors());
        for (String key : weights.adapters().tensors().keySet()) {
            String path = key.substring(0, key.lastIndexOf(".lora_"));
            weights.adapterPlan().match(path).ifPresent(spec -> specs.put(component + "." + path, spec));
        }
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
        return tokenizer;
    }

    /**
     * Textual inversion's setup (diffusers' textual_inversion.py): {@code placeholders} become
     * tokens of their own, each embedding row starting as the {@code initializer} token's. The rows
     * are {@link #ADDED_EMBEDDINGS}; train only them. Call before the trainer is built.
     */
    public void addTokens(List<String> placeholders, String initializer) {
        List<Integer> ids = tokenizer.tokenIds(initializer);
        if (ids.size() != 1) {
            throw new IllegalArgumentException("the initializer '" + initializer + "' must be a single token, it is "
                    + ids.size());
        }
        String table = textEncoder.addedEmbeddingsKey().replace(".added", ".weight");
        NDArray row = textEncoder.weights().tensors().get(table).get(ids.get(0)).reshape(1, -1);
        NDArray rows = row.repeat(0, placeholders.size());
        textEncoder.addTokenEmbeddings(rows); // rows and row live with the text encoder's weights
        tokenizer = tokenizer.withAddedTokens(placeholders);
    }

    /**
     * The learned embedding of textual inversion's {@code placeholder} (its rows, in float32, in
     * {@code manager}), as the diffusers and A1111 writers take it. The tokens must have been added
     * by {@link #addTokens}, the placeholder's continuations ({@code <tok>_1, ...}) right after it.
     */
    public TextualInversion learnedEmbedding(NDManager manager, String placeholder) {
        List<String> added = tokenizer.addedTokens();
        int first = added.indexOf(placeholder);
        if (first < 0) {
            throw new IllegalArgumentException("'" + placeholder + "' is not an added token; added: " + added);
        }
        int count = 1;
        while (first + count < added.size() && added.get(first + count).equals(placeholder + "_" + count)) {
            count++;
        }
        NDArray rows = textEncoder.weights().tensors().get(textEncoder.addedEmbeddingsKey());
        NDArray vectors;
        try (NDArray view = rows.get("{}:{}", first, first + count)) {
            vectors = view.toType(DataType.FLOAT32, true);
        }
        vectors.attach(manager);
        return new TextualInversion(placeholder, vectors);
    }

    /** Text-to-image with these models (adapters attached, tokens added), for validation images. */
    public TextToImage textToImage() {
        return new TextToImage(pipeline.configs().withTokenizer(tokenizer), textEncoder, unet, pipeline.vae());
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
