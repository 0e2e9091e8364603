package org.sdspark.model.lora;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.sdspark.model.checkpoint.KeyMap;

/**
 * kohya/A1111 LoRA module names: the component's prefix and the module path with every '.' as '_'
 * ({@code lora_unet_down_blocks_0_attentions_0_proj_in}, {@code lora_te_text_model_encoder_layers_0_self_attn_q_proj}).
 *
 * <p>Underscores make the name ambiguous to parse back, so reading goes the other way: every
 * adaptable layer's possible names are listed and looked up. A UNet layer is known by its diffusers
 * path (kohya's SD 1.x/2.x trainer uses the diffusers UNet) and by its original LDM path (LoRAs
 * made on CompVis/A1111 models: {@code lora_unet_input_blocks_1_1_proj_in}); a text encoder layer
 * with and without {@code text_model_}; {@code lora_te1_} (what diffusers' kohya conversion writes)
 * reads as {@code lora_te_}.
 */
public final class KohyaNames {
    private static final String TE1_PREFIX = "lora_te1_";
    private static final String WEIGHT = ".weight";

    private final Map<String, ModuleRef> byName;

    private KohyaNames(Map<String, ModuleRef> byName) {
        this.byName = byName;
    }

    /** The name kohya gives {@code module}. */
    public static String of(ModuleRef module) {
        return module.component().kohyaPrefix() + module.path().replace('.', '_');
    }

    /** Every name of every layer of {@code modules}; {@code unetOriginal} relates the UNet's diffusers and LDM keys. */
    public static KohyaNames index(AdaptableModules modules, KeyMap unetOriginal) {
        Map<String, ModuleRef> byName = new HashMap<>();
        for (ModuleRef module : modules.modules()) {
            put(byName, of(module), module);
            if (module.component() == Component.UNET) {
                String original = unetOriginal.forDiffusers(modules.weightKey(module)).original();
                if (original.endsWith(WEIGHT)) {
                    String path = original.substring(0, original.length() - WEIGHT.length());
                    put(byName, of(new ModuleRef(Component.UNET, path)), module);
                }
            } else {
                put(byName, of(new ModuleRef(Component.TEXT_ENCODER, AdaptableModules.withoutTextModel(module.path()))), module);
            }
        }
        return new KohyaNames(byName);
    }

    private static void put(Map<String, ModuleRef> byName, String name, ModuleRef module) {
        ModuleRef before = byName.putIfAbsent(name, module);
        if (before != null && !before.equals(module)) {
            throw new IllegalStateException("kohya name " + name + " would stand for both " + before + " and " + module);
        }
    }

    /** The layer a kohya module name stands for, if the model has it. */
    public Optional<ModuleRef> resolve(String name) {
        String canonical = name.startsWith(TE1_PREFIX) ? Component.TEXT_ENCODER.kohyaPrefix() + name.substring(TE1_PREFIX.length()) : name;
        return Optional.ofNullable(byName.get(canonical));
    }
}
