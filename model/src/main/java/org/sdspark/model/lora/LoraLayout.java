package org.sdspark.model.lora;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The two ways LoRA files name their tensors.
 *
 * <ul>
 *   <li>{@link #PEFT}: what diffusers' {@code save_lora_weights} writes and {@code load_lora_weights}
 *   reads: {@code unet.<path>.lora_A.weight} (down, rank x in) and {@code .lora_B.weight} (up, out x
 *   rank), {@code text_encoder.<path>...}; alpha and rank patterns in the {@code lora_adapter_metadata}
 *   JSON of the safetensors header, as PEFT's {@code LoraConfig} holds them (alpha = rank without it).
 *   <li>{@link #KOHYA}: kohya sd-scripts / A1111 / LyCORIS LoCon: {@code lora_unet_<name>.lora_down.weight},
 *   {@code .lora_up.weight} and a scalar {@code .alpha} (alpha = rank when absent), {@code lora_te_<name>}.
 * </ul>
 */
public enum LoraLayout {
    PEFT(".lora_A.weight", ".lora_B.weight", ".alpha"),
    KOHYA(".lora_down.weight", ".lora_up.weight", ".alpha");

    /** What a tensor name says: the module (as the file names it) and which part of its adapter it is. */
    public record TensorName(String module, Part part) {
    }

    public enum Part { DOWN, UP, ALPHA }

    // Tensors of adapter kinds other than LoRA/LoCon, by a marker in their name, for a message that says what the file is.
    private static final List<Map.Entry<String, String>> OTHER_KINDS = List.of(
            Map.entry("hada_", "LoHa (LyCORIS hada_* tensors)"),
            Map.entry("lokr_", "LoKr (LyCORIS lokr_* tensors)"),
            Map.entry("lora_mid", "LoCon with a Tucker-decomposed conv (lora_mid)"),
            Map.entry("dora_scale", "DoRA (dora_scale)"),
            Map.entry("lora_magnitude_vector", "DoRA (lora_magnitude_vector)"),
            Map.entry("lora_embedding_", "LoRA on embedding tables (lora_embedding_A/B)"));

    private final String down;
    private final String up;
    private final String alpha;

    LoraLayout(String down, String up, String alpha) {
        this.down = down;
        this.up = up;
        this.alpha = alpha;
    }

    /** KOHYA when a key starts with {@code lora_unet_} or {@code lora_te}, PEFT when one has {@code lora_A}/{@code lora_B}. */
    public static Optional<LoraLayout> detect(Collection<String> keys) {
        if (keys.stream().anyMatch(k -> k.startsWith("lora_unet_") || k.startsWith("lora_te"))) {
            return Optional.of(KOHYA);
        }
        if (keys.stream().anyMatch(k -> k.contains(".lora_A.") || k.contains(".lora_B."))) {
            return Optional.of(PEFT);
        }
        return Optional.empty();
    }

    /** The module and part a tensor name stands for in this layout, or empty for a name it does not use. */
    public Optional<TensorName> parse(String key) {
        for (Part part : Part.values()) {
            String suffix = suffix(part);
            if (key.endsWith(suffix) && key.length() > suffix.length()) {
                String module = key.substring(0, key.length() - suffix.length());
                // kohya module names hold no dots: "a.b.alpha" is not the alpha of module "a.b"
                if (this == PEFT || !module.contains(".")) {
                    return Optional.of(new TensorName(module, part));
                }
            }
        }
        return Optional.empty();
    }

    /** For a name {@link #parse} rejects: the adapter kind it belongs to, when it is a known one. */
    public static Optional<String> otherKind(String key) {
        String tail = key.substring(key.indexOf('.') + 1);
        if (tail.equals("diff") || tail.equals("diff_b")) {
            return Optional.of("full weight differences (diff / diff_b)");
        }
        return OTHER_KINDS.stream().filter(kind -> tail.contains(kind.getKey())).map(Map.Entry::getValue).findFirst();
    }

    public String suffix(Part part) {
        return switch (part) {
            case DOWN -> down;
            case UP -> up;
            case ALPHA -> alpha;
        };
    }

    /**
     * The file's name for a module of the model. Text encoder modules: kohya names keep
     * {@code text_model_} (A1111, ComfyUI and kohya's own files name CLIP's layers so); PEFT paths
     * are the module paths of transformers 5's CLIPTextModel, which has no {@code text_model} level
     * (files of diffusers on transformers 4 have one; both read).
     */
    public String moduleName(ModuleRef module) {
        if (this == KOHYA) {
            return KohyaNames.of(module);
        }
        return module.component().key() + "." + peftPath(module);
    }

    /** The module's path in a PEFT file, after its component's prefix. */
    public static String peftPath(ModuleRef module) {
        return module.component() == Component.TEXT_ENCODER ? AdaptableModules.withoutTextModel(module.path()) : module.path();
    }

    public String key(ModuleRef module, Part part) {
        return moduleName(module) + suffix(part);
    }
}
