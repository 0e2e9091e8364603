package org.sdspark.model.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.sdspark.model.checkpoint.CheckpointFamily;
import org.sdspark.model.checkpoint.ConfigInference;
import org.sdspark.model.checkpoint.KeyMap;
import org.sdspark.model.clip.ClipTextConfig;
import org.sdspark.model.clip.ClipTextModel;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.embedding.TextualInversion;
import org.sdspark.model.embedding.TextualInversionFile;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.diffusers.ComponentFolder;
import org.sdspark.model.io.TensorFile;
import org.sdspark.model.io.TensorInfo;
import org.sdspark.model.lora.AdaptableModules;
import org.sdspark.model.lora.Component;
import org.sdspark.model.lora.KohyaNames;
import org.sdspark.model.lora.LoraFile;
import org.sdspark.model.lora.LoraMerge;
import org.sdspark.model.lora.LoraWeights;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.vae.AutoencoderKL;

/**
 * A Stable Diffusion 1.x/2.x or SDXL text-to-image pipeline: tokenizer, text encoder (SDXL: two of
 * each), UNet, VAE and the scheduler config, loaded from a diffusers folder or an original-layout
 * single file, and saved in either layout. Owns the models' weights: close it to free them.
 */
public final class StableDiffusionPipeline implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Map<String, String> FORMAT = Map.of("format", "pt");

    private final String source;
    private final PipelineFiles files;
    private PipelineConfigs configs;
    private Adapters adapters = Adapters.NONE;
    private final ClipTextModel textEncoder;
    private final ClipTextModel textEncoder2;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;

    private StableDiffusionPipeline(String source, PipelineFiles files, PipelineConfigs configs,
                                    ClipTextModel textEncoder, ClipTextModel textEncoder2, UNet2DConditionModel unet,
                                    AutoencoderKL vae) {
        this.source = source;
        this.files = files;
        this.configs = configs;
        this.textEncoder = textEncoder;
        this.textEncoder2 = textEncoder2;
        this.unet = unet;
        this.vae = vae;
    }

    public static StableDiffusionPipeline load(NDManager manager, Path path) throws IOException {
        return load(manager, path, LoadOptions.DEFAULT);
    }

    /**
     * A diffusers folder, or one file in the original layout: {@code .safetensors}, or a PyTorch
     * pickle ({@code .ckpt}, {@code .pt}, {@code .bin}) read by the restricted unpickler.
     */
    public static StableDiffusionPipeline load(NDManager manager, Path path, LoadOptions options) throws IOException {
        if (Files.isDirectory(path)) {
            if (options.ema()) {
                throw new ModelLoadException(path + " is a diffusers folder, which holds one set of UNet weights; EMA"
                        + " weights are chosen from an original checkpoint (.ckpt or .safetensors with model_ema.* keys)");
            }
            return loadDiffusers(manager, path, options);
        }
        if (Files.isRegularFile(path)) {
            if (options.variant() != null) {
                throw new ModelLoadException(path + " is one file; a weights variant ('" + options.variant()
                        + "') names the files of a diffusers folder");
            }
            return loadSingleFile(manager, path, options);
        }
        throw new ModelLoadException(path + " does not exist (expected a diffusers pipeline folder or a .safetensors or"
                + " .ckpt checkpoint)");
    }

    private static StableDiffusionPipeline loadDiffusers(NDManager manager, Path folder, LoadOptions options)
            throws IOException {
        PipelineFiles files = PipelineFiles.read(folder);
        PipelineConfigs configs = PipelineConfigs.read(folder);
        ClipTextModel text = null;
        ClipTextModel text2 = null;
        UNet2DConditionModel unet = null;
        try {
            text = ClipTextModel.load(manager, new ComponentFolder(folder.resolve("text_encoder"),
                    ComponentFolder.TRANSFORMERS_WEIGHTS, options.variant()), options.dataType());
            if (configs.xl() != null) {
                text2 = ClipTextModel.load(manager, new ComponentFolder(folder.resolve("text_encoder_2"),
                        ComponentFolder.TRANSFORMERS_WEIGHTS, options.variant()), options.dataType());
            }
            unet = UNet2DConditionModel.load(manager, new ComponentFolder(folder.resolve("unet"),
                    ComponentFolder.DIFFUSERS_WEIGHTS, options.variant()));
            unet = toType(unet, options.dataType());
            AutoencoderKL vae = AutoencoderKL.load(manager, new ComponentFolder(folder.resolve("vae"),
                    ComponentFolder.DIFFUSERS_WEIGHTS, options.variant()));
            return new StableDiffusionPipeline(folder.toString(), files, configs, text, text2, unet, vae);
        } catch (IOException | RuntimeException e) {
            closeAll(text, text2, unet);
            throw e;
        }
    }

    private static StableDiffusionPipeline loadSingleFile(NDManager manager, Path file, LoadOptions options)
            throws IOException {
        try (TensorFile tensors = TensorFile.open(file)) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (TensorInfo info : tensors.tensors().values()) {
                shapes.put(info.name(), info.shape());
            }
            CheckpointFamily family = CheckpointFamily.of(shapes.keySet());
            PipelineFiles files = configFiles(file, shapes, tensors.metadata(), family, options);
            PipelineConfigs configs = PipelineConfigs.of(files, configSource(file, tensors.metadata(), options));
            OriginalCheckpoint.Components parts = OriginalCheckpoint.read(manager, tensors, family, configs, options.ema());
            return fromOriginal(file, files, configs, family, parts, options.dataType());
        }
    }

    private static StableDiffusionPipeline fromOriginal(Path file, PipelineFiles files, PipelineConfigs configs,
                                                        CheckpointFamily family, OriginalCheckpoint.Components parts,
                                                        DataType dataType) {
        ClipTextModel text = null;
        ClipTextModel text2 = null;
        UNet2DConditionModel unet = null;
        try {
            text = toType(namingFileKeys(() -> ClipTextModel.of(configs.textEncoder(), parts.textEncoder()),
                    OriginalCheckpoint.textEncoderMap(family, configs.textEncoder()), family.textEncoderPrefix()),
                    dataType);
            if (parts.textEncoder2() != null) {
                text2 = toType(namingFileKeys(() -> ClipTextModel.of(configs.xl().textEncoder2(), parts.textEncoder2()),
                        OriginalCheckpoint.textEncoder2Map(configs.xl().textEncoder2()), family.textEncoder2Prefix()),
                        dataType);
            }
            unet = toType(namingFileKeys(() -> UNet2DConditionModel.from(configs.unet(), parts.unet()),
                    OriginalCheckpoint.unetMap(configs), CheckpointFamily.UNET_PREFIX), dataType);
            AutoencoderKL vae = namingFileKeys(() -> AutoencoderKL.from(configs.vae(), parts.vae()),
                    OriginalCheckpoint.vaeMap(configs), CheckpointFamily.VAE_PREFIX);
            return new StableDiffusionPipeline(file.toString(), files, configs, text, text2, unet, vae);
        } catch (RuntimeException e) {
            closeAll(text, text2, unet, parts.unet(), parts.vae(), parts.textEncoder(), parts.textEncoder2());
            throw e;
        }
    }

    private static <T> T namingFileKeys(Supplier<T> build, KeyMap map, String prefix) {
        try {
            return build.get();
        } catch (ModelLoadException e) {
            throw OriginalCheckpoint.withOriginalNames(e, map, prefix);
        }
    }

    /**
     * Configs embedded by sdspark, else those of --config, else inferred from the tensor shapes with
     * the bundled CLIP tokenizer.
     */
    private static PipelineFiles configFiles(Path file, Map<String, long[]> shapes, Map<String, String> metadata,
                                             CheckpointFamily family, LoadOptions options) throws IOException {
        PipelineFiles embedded = PipelineFiles.fromMetadata(metadata);
        if (!embedded.isEmpty()) {
            return embedded;
        }
        if (options.configFolder() != null) {
            return PipelineFiles.read(options.configFolder());
        }
        ConfigInference.Configs inferred = ConfigInference.infer(shapes, options.vPrediction(), file.toString());
        PipelineFiles files = BundledTokenizer.files(family)
                .with(PipelineFiles.MODEL_INDEX, JSON.writeValueAsString(modelIndex(inferred.textEncoder2() != null)))
                .with(PipelineFiles.UNET_CONFIG, JSON.writeValueAsString(inferred.unet()))
                .with(PipelineFiles.VAE_CONFIG, JSON.writeValueAsString(inferred.vae()))
                .with(PipelineFiles.TEXT_ENCODER_CONFIG, JSON.writeValueAsString(inferred.textEncoder()))
                .with(PipelineFiles.SCHEDULER_CONFIG, JSON.writeValueAsString(inferred.scheduler()));
        return inferred.textEncoder2() == null ? files
                : files.with(PipelineFiles.TEXT_ENCODER_2_CONFIG, JSON.writeValueAsString(inferred.textEncoder2()));
    }

    private static String configSource(Path file, Map<String, String> metadata, LoadOptions options) {
        if (!PipelineFiles.fromMetadata(metadata).isEmpty()) {
            return file + " (configs in its metadata)";
        }
        if (options.configFolder() != null) {
            return options.configFolder() + " (--config for " + file + ")";
        }
        return file + " (configs inferred from its tensor shapes with SD 1.x/2.x/SDXL defaults; if the model differs,"
                + " pass --config DIR, a diffusers folder with its configs)";
    }

    /**
     * The model_index.json of a diffusers StableDiffusionPipeline without safety checker, or of a
     * StableDiffusionXLPipeline ({@code xl}).
     */
    static ObjectNode modelIndex(boolean xl) {
        ObjectNode index = JSON.createObjectNode();
        index.put("_class_name", xl ? "StableDiffusionXLPipeline" : "StableDiffusionPipeline");
        index.putArray("feature_extractor").addNull().addNull();
        if (xl) {
            index.put("force_zeros_for_empty_prompt", XlConfigs.FORCE_ZEROS_DEFAULT);
        }
        index.putArray("image_encoder").addNull().addNull();
        if (!xl) {
            index.put("requires_safety_checker", false);
            index.putArray("safety_checker").addNull().addNull();
        }
        index.putArray("scheduler").add("diffusers").add(xl ? "EulerDiscreteScheduler" : "PNDMScheduler");
        index.putArray("text_encoder").add("transformers").add("CLIPTextModel");
        if (xl) {
            index.putArray("text_encoder_2").add("transformers").add(ClipTextConfig.WITH_PROJECTION);
        }
        index.putArray("tokenizer").add("transformers").add("CLIPTokenizer");
        if (xl) {
            index.putArray("tokenizer_2").add("transformers").add("CLIPTokenizer");
        }
        index.putArray("unet").add("diffusers").add("UNet2DConditionModel");
        index.putArray("vae").add("diffusers").add("AutoencoderKL");
        return index;
    }

    private static UNet2DConditionModel toType(UNet2DConditionModel unet, DataType type) {
        if (type == DataType.FLOAT32) {
            return unet;
        }
        try (unet) {
            return unet.toType(type);
        }
    }

    private static ClipTextModel toType(ClipTextModel text, DataType type) {
        if (type == DataType.FLOAT32) {
            return text;
        }
        try (text) {
            return ClipTextModel.of(text.config(), text.weights().toType(type));
        }
    }

    private static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable p : parts) {
            if (p != null) {
                try {
                    p.close();
                } catch (Exception ignored) {
                    // already failing; the first error is the one to report
                }
            }
        }
    }

    /**
     * Merges a LoRA/LoCon file (PEFT/diffusers or kohya/A1111 layout, LDM or diffusers UNet names)
     * into the UNet and text encoder: {@code W += scale * (alpha / rank) * up . down}, what diffusers'
     * {@code load_lora_weights} then {@code fuse_lora(lora_scale=scale)} give. Fails, changing nothing,
     * naming every key that does not fit. Returns the number of layers changed.
     */
    public int fuseLora(Path file, double scale) throws IOException {
        AdaptableModules modules = AdaptableModules.of(shapes(unet.stateDict()), shapes(textEncoder.weights()));
        KohyaNames names = KohyaNames.index(modules, OriginalCheckpoint.unetMap(configs));
        try (NDManager scope = unet.stateDict().manager().newSubManager()) {
            LoraWeights lora = LoraFile.read(scope, file, modules, names);
            LoraMerge.merge(lora, scale, m -> weightsOf(m.component()).tensors().get(modules.weightKey(m)));
            adapters = adapters.with(new Adapters.Lora(file.toString(), scale));
            return lora.modules().size();
        }
    }

    private StateDict weightsOf(Component component) {
        return component == Component.UNET ? unet.stateDict() : textEncoder.weights();
    }

    private static Map<String, long[]> shapes(StateDict dict) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        dict.tensors().forEach((k, v) -> shapes.put(k, v.getShape().getShape()));
        return shapes;
    }

    /**
     * Adds a textual inversion embedding (diffusers' {@code {token: vectors}} or A1111's
     * {@code emb_params}) as diffusers' {@code load_textual_inversion} does: its token(s) join the
     * tokenizer, its vectors the text encoder's embeddings. Returns the tokens added.
     *
     * @param token the prompt word for it, replacing the file's own (A1111 files: the file name)
     */
    public List<String> loadTextualInversion(Path file, Optional<String> token) throws IOException {
        if (textEncoder2 != null) {
            throw new ModelLoadException(file + ": textual inversion embeddings for SDXL (clip_l and clip_g vectors, one"
                    + " per text encoder) are not supported yet");
        }
        try (NDManager scope = textEncoder.weights().manager().newSubManager()) {
            TextualInversion embedding = TextualInversionFile.read(scope, file, token);
            long dim = embedding.vectors().getShape().get(1);
            if (dim != configs.textEncoder().hiddenSize()) {
                throw new ModelLoadException(file + ": vectors of " + dim + " values, this text encoder embeds tokens in "
                        + configs.textEncoder().hiddenSize() + " (an embedding for another model?)");
            }
            ClipTokenizer tokenizer = configs.tokenizer();
            if (tokenizer.size() != textEncoder.tokenCount()) {
                throw new ModelLoadException("the tokenizer has " + tokenizer.size() + " tokens and the text encoder "
                        + textEncoder.tokenCount() + " embeddings; a token added to both would not line up");
            }
            ClipTokenizer extended;
            try {
                extended = tokenizer.withAddedTokens(embedding.tokens());
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException(file + ": " + e.getMessage());
            }
            textEncoder.addTokenEmbeddings(embedding.vectors());
            configs = configs.withTokenizer(extended);
            adapters = adapters.with(new Adapters.Embedding(file.toString(), embedding.tokens()));
            return embedding.tokens();
        }
    }

    /** Writes a diffusers folder: model_index.json, each component's config and weights, the tokenizer. */
    public void saveDiffusers(Path folder) throws IOException {
        Files.createDirectories(folder);
        PipelineFiles out = files.has(PipelineFiles.MODEL_INDEX) ? files
                : files.with(PipelineFiles.MODEL_INDEX, JSON.writeValueAsString(modelIndex(textEncoder2 != null)));
        out.writeTo(folder);
        unet.stateDict().save(folder.resolve("unet/diffusion_pytorch_model.safetensors"), FORMAT);
        vae.stateDict().save(folder.resolve("vae/diffusion_pytorch_model.safetensors"), FORMAT);
        textEncoder.weights().save(folder.resolve("text_encoder/model.safetensors"), FORMAT);
        if (textEncoder2 != null) {
            textEncoder2.weights().save(folder.resolve("text_encoder_2/model.safetensors"), FORMAT);
        }
    }

    /** Writes one original-layout {@code .safetensors} with the configs and tokenizer in its metadata. */
    public void saveSingleFile(Path file) throws IOException {
        OriginalCheckpoint.write(file, configs,
                new OriginalCheckpoint.Components(unet.stateDict(), vae.stateDict(), textEncoder.weights(),
                        textEncoder2 == null ? null : textEncoder2.weights()), files);
    }

    /** Bytes of every weight of the text encoders, UNet and VAE as loaded. */
    public long weightBytes() {
        Stream<StateDict> text = Stream.of(textEncoder, textEncoder2).filter(Objects::nonNull).map(ClipTextModel::weights);
        return Stream.concat(text, Stream.of(unet.stateDict(), vae.stateDict()))
                .flatMap(w -> w.tensors().values().stream())
                .mapToLong(t -> t.getShape().size() * t.getDataType().getNumOfBytes())
                .sum();
    }

    public String source() {
        return source;
    }

    public PipelineConfigs configs() {
        return configs;
    }

    /** The LoRAs merged and embeddings added since loading. */
    public Adapters adapters() {
        return adapters;
    }

    public ClipTextModel textEncoder() {
        return textEncoder;
    }

    /** SDXL's second text encoder (a CLIPTextModelWithProjection); null for SD 1.x/2.x. */
    public ClipTextModel textEncoder2() {
        return textEncoder2;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    @Override
    public void close() {
        closeAll(textEncoder, textEncoder2, unet, vae);
    }
}
