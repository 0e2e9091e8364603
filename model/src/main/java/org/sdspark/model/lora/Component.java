package org.sdspark.model.lora;

/**
 * The parts of a Stable Diffusion pipeline a LoRA adapts, named as diffusers prefixes their keys in
 * a LoRA file ({@code unet.}, {@code text_encoder.}) and as kohya does ({@code lora_unet_},
 * {@code lora_te_}).
 */
public enum Component {
    UNET("unet", "lora_unet_"),
    TEXT_ENCODER("text_encoder", "lora_te_");

    private final String key;
    private final String kohyaPrefix;

    Component(String key, String kohyaPrefix) {
        this.key = key;
        this.kohyaPrefix = kohyaPrefix;
    }

    /** The diffusers/PEFT prefix without its dot: {@code unet}, {@code text_encoder}. */
    public String key() {
        return key;
    }

    public String kohyaPrefix() {
        return kohyaPrefix;
    }

    public static Component byKey(String key) {
        for (Component c : values()) {
            if (c.key.equals(key)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no component '" + key + "' (expected unet or text_encoder)");
    }
}
