package org.sdspark.model.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdspark.model.checkpoint.CheckpointFamily;
import org.sdspark.model.checkpoint.ConfigInference;
import org.sdspark.model.checkpoint.KeyMap;
import org.sdspark.model.checkpoint.LayoutConversion;
import org.sdspark.model.checkpoint.TextEncoderKeyMap;
import org.sdspark.model.checkpoint.UnetKeyMap;
import org.sdspark.model.checkpoint.UnetLayout;
import org.sdspark.model.checkpoint.VaeKeyMap;
import org.sdspark.model.checkpoint.VaeLayout;
import org.sdspark.model.clip.ClipTextConfig;
import org.sdspark.model.io.TensorFile;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;

/**
 * A single-file checkpoint in the original (CompVis/A1111) layout: the components under
 * {@code model.diffusion_model.}, {@code first_stage_model.} and {@code cond_stage_model.*} (SDXL:
 * {@code conditioner.embedders.0.transformer.} and {@code conditioner.embedders.1.model.}), moved
 * to and from diffusers names with the key maps of their configs. Keys outside those prefixes
 * (EMA copies, the LDM noise schedule buffers) are not part of the model and are skipped, unless
 * the EMA copy of the UNet is asked for.
 *
 * <p>LDM training keeps an exponential moving average of the UNet (its {@code LitEma} of
 * {@code model}) as buffers named by the parameter path with the dots removed:
 * {@code model.diffusion_model.input_blocks.0.0.weight} has its average in
 * {@code model_ema.diffusion_modelinput_blocks00weight}. Choosing EMA reads those in place of the
 * training weights, as diffusers' conversion does with {@code extract_ema}.
 */
final class OriginalCheckpoint {
    private static final Map<String, String> FORMAT = Map.of("format", "pt");
    private static final Pattern PROBLEM_KEY = Pattern.compile("^  (?:missing |unexpected )?(\\S+)");
    static final String EMA_PREFIX = "model_ema.";
    /** LitEma's own buffers, not averages of a weight. */
    private static final Set<String> EMA_BOOKKEEPING = Set.of("model_ema.decay", "model_ema.num_updates");

    /** The components' tensors under diffusers names ({@code textEncoder2} only for SDXL); owned by the caller. */
    record Components(StateDict unet, StateDict vae, StateDict textEncoder, StateDict textEncoder2) {
    }

    private OriginalCheckpoint() {
    }

    /** The key maps of a pipeline of these configs. */
    static KeyMap unetMap(PipelineConfigs configs) {
        return UnetKeyMap.of(UnetLayout.of(configs.unet()));
    }

    static KeyMap vaeMap(PipelineConfigs configs) {
        return VaeKeyMap.of(VaeLayout.of(configs.vae()));
    }

    static KeyMap textEncoderMap(CheckpointFamily family, ClipTextConfig config) {
        return family == CheckpointFamily.SD2 ? TextEncoderKeyMap.openClip(config.numHiddenLayers()) : TextEncoderKeyMap.clip();
    }

    /** SDXL's second text encoder: OpenCLIP ViT-bigG with its projection. */
    static KeyMap textEncoder2Map(ClipTextConfig config) {
        return TextEncoderKeyMap.openClipWithProjection(config.numHiddenLayers());
    }

    /**
     * The layout of a file we write: SDXL by its second text encoder; else SD 2.x text encoders use
     * OpenCLIP's gelu where SD 1.x's CLIP ViT-L uses quick_gelu.
     */
    static CheckpointFamily familyOf(PipelineConfigs configs) {
        if (configs.xl() != null) {
            return CheckpointFamily.SDXL;
        }
        return configs.textEncoder().hiddenAct().equals("gelu") ? CheckpointFamily.SD2 : CheckpointFamily.SD1;
    }

    /**
     * One component at a time, reading only the tensors under its prefix: schedule buffers, and the
     * EMA copies unless {@code ema}, are never loaded.
     */
    static Components read(NDManager manager, TensorFile file, CheckpointFamily family, PipelineConfigs configs,
                           boolean ema) throws IOException {
        if (ema && !hasEma(file.tensors().keySet())) {
            throw new ModelLoadException(file.path() + " has no EMA weights (no " + EMA_PREFIX + "* keys besides "
                    + EMA_BOOKKEEPING + "); EMA-only checkpoints such as *-emaonly.ckpt already hold them as"
                    + " the model's weights: load it without EMA");
        }
        StateDict unet = component(manager, file, "unet", CheckpointFamily.UNET_PREFIX, unetMap(configs), Set.of(), ema);
        StateDict vae = null;
        StateDict text = null;
        try {
            vae = component(manager, file, "vae", CheckpointFamily.VAE_PREFIX, vaeMap(configs), Set.of(), false);
            text = component(manager, file, "text_encoder", family.textEncoderPrefix(),
                    textEncoderMap(family, configs.textEncoder()), ignoredTextKeys(family, configs.textEncoder()), false);
            // OpenCLIP's temperature belongs to its image-text head, which SDXL does not use.
            StateDict text2 = family == CheckpointFamily.SDXL ? component(manager, file, "text_encoder_2",
                    family.textEncoder2Prefix(), textEncoder2Map(configs.xl().textEncoder2()), Set.of("logit_scale"), false)
                    : null;
            return new Components(unet, vae, text, text2);
        } catch (IOException | RuntimeException e) {
            unet.close();
            for (StateDict part : new StateDict[] {vae, text}) {
                if (part != null) {
                    part.close();
                }
            }
            throw e;
        }
    }

    // OpenCLIP's projection and temperature belong to its image-text head, which SD does not use; nor
    // does SD 2.x use OpenCLIP's last layer (it conditions on the penultimate one): diffusers skips them too.
    private static Set<String> ignoredTextKeys(CheckpointFamily family, ClipTextConfig config) {
        if (family != CheckpointFamily.SD2) {
            return Set.of();
        }
        return config.numHiddenLayers() == ConfigInference.SD2_TEXT_LAYERS
                ? Set.of("text_projection", "logit_scale", "transformer.resblocks." + ConfigInference.SD2_TEXT_LAYERS + ".")
                : Set.of("text_projection", "logit_scale");
    }

    /** The component's tensors under its prefix, or for {@code ema} their EMA copies, under diffusers names. */
    private static StateDict component(NDManager manager, TensorFile file, String name, String prefix, KeyMap map,
                                       Set<String> ignored, boolean ema) throws IOException {
        Map<String, String> names = new LinkedHashMap<>();
        for (String key : file.tensors().keySet()) {
            if (key.startsWith(prefix)) {
                String original = canonical(prefix, key.substring(prefix.length()));
                if (ignored.stream().noneMatch(original::startsWith)) {
                    names.put(original, ema ? emaKey(key) : key);
                }
            }
        }
        if (names.isEmpty()) {
            throw new ModelLoadException(file.path() + " has no " + name + " tensors (no keys under " + prefix + ")");
        }
        String source = file.path() + " [" + name + ", original keys under " + prefix + (ema ? ", EMA weights" : "") + "]";
        try (StateDict raw = StateDict.load(manager, file, names, source)) {
            Map<String, NDArray> diffusers = LayoutConversion.toDiffusers(map.fromOriginal(raw.tensors().keySet()),
                    raw.tensors());
            return StateDict.of(manager, source, diffusers);
        }
    }

    /** LitEma's buffer name: the parameter path after {@code model.} with its dots removed. */
    static String emaKey(String key) {
        return EMA_PREFIX + key.substring(key.indexOf('.') + 1).replace(".", "");
    }

    /** diffusers' test: EMA weights present beside the model's (it counts over 100 model_ema keys). */
    static boolean hasEma(Collection<String> keys) {
        return keys.stream().anyMatch(k -> k.startsWith(EMA_PREFIX) && !EMA_BOOKKEEPING.contains(k));
    }

    // Some SD 1.x checkpoints store the CLIP text model without transformers' text_model. level.
    private static String canonical(String prefix, String key) {
        boolean transformersNames = prefix.equals(CheckpointFamily.SD1.textEncoderPrefix())
                || prefix.equals(CheckpointFamily.SDXL.textEncoderPrefix());
        return transformersNames ? TextEncoderKeyMap.canonical(key) : key;
    }

    /**
     * The checker's error (which names diffusers keys) with each problem line followed by the key's
     * name in the file, so the user can find it there.
     */
    static ModelLoadException withOriginalNames(ModelLoadException e, KeyMap map, String prefix) {
        StringBuilder out = new StringBuilder();
        for (String line : e.getMessage().split("\n")) {
            out.append(out.length() == 0 ? "" : "\n").append(line);
            Matcher m = PROBLEM_KEY.matcher(line);
            if (m.find()) {
                out.append("   [in the file: ").append(prefix).append(map.forDiffusers(m.group(1)).original()).append(']');
            }
        }
        return new ModelLoadException(out.toString());
    }

    /** Writes the components in the original layout with {@code files} embedded in the metadata. */
    static void write(Path file, PipelineConfigs configs, Components components, PipelineFiles files) throws IOException {
        CheckpointFamily family = familyOf(configs);
        Map<String, NDArray> out = new LinkedHashMap<>();
        Set<NDArray> created = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            put(out, created, CheckpointFamily.UNET_PREFIX, unetMap(configs), components.unet().tensors());
            put(out, created, CheckpointFamily.VAE_PREFIX, vaeMap(configs), components.vae().tensors());
            Map<String, NDArray> text = new LinkedHashMap<>();
            components.textEncoder().tensors().forEach((k, v) -> text.put(TextEncoderKeyMap.canonical(k), v));
            put(out, created, family.textEncoderPrefix(), textEncoderMap(family, configs.textEncoder()), text);
            if (components.textEncoder2() != null) {
                Map<String, NDArray> text2 = new LinkedHashMap<>();
                components.textEncoder2().tensors().forEach((k, v) -> text2.put(TextEncoderKeyMap.canonical(k), v));
                put(out, created, family.textEncoder2Prefix(), textEncoder2Map(configs.xl().textEncoder2()), text2);
            }
            Map<String, String> metadata = new TreeMap<>(files.toMetadata());
            metadata.putAll(FORMAT);
            StateDict.write(file, out, metadata);
        } finally {
            created.forEach(NDArray::close);
        }
    }

    private static void put(Map<String, NDArray> out, Set<NDArray> created, String prefix, KeyMap map,
                            Map<String, NDArray> diffusers) {
        Set<NDArray> sources = Collections.newSetFromMap(new IdentityHashMap<>());
        sources.addAll(diffusers.values());
        LayoutConversion.toOriginal(map.fromDiffusers(diffusers.keySet()), diffusers).forEach((k, v) -> {
            out.put(prefix + k, v);
            if (!sources.contains(v)) {
                created.add(v);
            }
        });
    }
}
