package org.sdspark.model.lora;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Linear and Conv2d layers a LoRA may adapt, with their weight shapes, found from the
 * components' checkpoint keys: every 2-D ({@code out, in}) or 4-D ({@code out, in, k, k}) weight
 * except the text encoder's embedding tables. Text encoder paths are kept under {@code text_model.}
 * (SD checkpoints and transformers 4 name them so; transformers 5 saves them without it), and
 * {@link #weightKey} gives the key the component's own dict uses.
 */
public final class AdaptableModules {
    private static final String TEXT_MODEL = "text_model.";
    private static final String WEIGHT = ".weight";

    private final Map<ModuleRef, long[]> shapes;
    private final Map<ModuleRef, String> weightKeys;

    private AdaptableModules(Map<ModuleRef, long[]> shapes, Map<ModuleRef, String> weightKeys) {
        this.shapes = shapes;
        this.weightKeys = weightKeys;
    }

    /** From each component's tensor shapes by checkpoint key. */
    public static AdaptableModules of(Map<String, long[]> unet, Map<String, long[]> textEncoder) {
        Map<ModuleRef, long[]> shapes = new LinkedHashMap<>();
        Map<ModuleRef, String> keys = new LinkedHashMap<>();
        unet.forEach((key, shape) -> {
            if (isLayerWeight(key, shape)) {
                add(shapes, keys, new ModuleRef(Component.UNET, modulePath(key)), key, shape);
            }
        });
        textEncoder.forEach((key, shape) -> {
            if (isLayerWeight(key, shape) && !key.contains("embeddings.")) {
                add(shapes, keys, new ModuleRef(Component.TEXT_ENCODER, textModelPath(modulePath(key))), key, shape);
            }
        });
        return new AdaptableModules(Collections.unmodifiableMap(shapes), Collections.unmodifiableMap(keys));
    }

    private static void add(Map<ModuleRef, long[]> shapes, Map<ModuleRef, String> keys, ModuleRef module, String key, long[] shape) {
        shapes.put(module, shape.clone());
        keys.put(module, key);
    }

    private static boolean isLayerWeight(String key, long[] shape) {
        return key.endsWith(WEIGHT) && (shape.length == 2 || shape.length == 4);
    }

    private static String modulePath(String weightKey) {
        return weightKey.substring(0, weightKey.length() - WEIGHT.length());
    }

    /** A text encoder module path under {@code text_model.}, whether or not it was written with it. */
    static String textModelPath(String path) {
        return path.startsWith(TEXT_MODEL) ? path : TEXT_MODEL + path;
    }

    /** A text encoder module path without {@code text_model.}. */
    static String withoutTextModel(String path) {
        return path.startsWith(TEXT_MODEL) ? path.substring(TEXT_MODEL.length()) : path;
    }

    public Set<ModuleRef> modules() {
        return shapes.keySet();
    }

    public boolean contains(ModuleRef module) {
        return shapes.containsKey(module);
    }

    /** The layer's weight shape: (out, in) for a Linear, (out, in, k, k) for a Conv2d. */
    public long[] weightShape(ModuleRef module) {
        long[] shape = shapes.get(module);
        if (shape == null) {
            throw new IllegalArgumentException("no adaptable layer " + module);
        }
        return shape.clone();
    }

    /** The layer weight's key in its component's checkpoint. */
    public String weightKey(ModuleRef module) {
        String key = weightKeys.get(module);
        if (key == null) {
            throw new IllegalArgumentException("no adaptable layer " + module);
        }
        return key;
    }
}
