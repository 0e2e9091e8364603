package org.sdspark.model.lora;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The adapters of one LoRA, whatever file layout they came from or go to. Holds no resources: the
 * arrays belong to whoever made them.
 */
public record LoraWeights(List<LoraModule> modules) {

    public LoraWeights {
        modules = List.copyOf(modules);
        if (modules.stream().map(LoraModule::module).distinct().count() != modules.size()) {
            throw new IllegalArgumentException("a layer is adapted twice in one LoRA");
        }
    }

    /**
     * The adapters as training holds them: per component ({@code unet}, {@code text_encoder}), tensors
     * keyed PEFT-style relative to it ({@code <path>.lora_A.weight} rank x in[ x k x k],
     * {@code <path>.lora_B.weight} out x rank[ x 1 x 1]), and each module's rank and alpha keyed by
     * {@code <component>.<path>} with the same path.
     */
    public static LoraWeights fromAdapters(Map<String, Map<String, NDArray>> byComponent, Map<String, LoraSpec> specs) {
        List<LoraModule> modules = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        TreeSet<String> unusedSpecs = new TreeSet<>(specs.keySet());
        byComponent.forEach((componentKey, tensors) -> {
            Component component = Component.byKey(componentKey);
            Map<String, EnumMap<LoraLayout.Part, NDArray>> pairs = new LinkedHashMap<>();
            tensors.forEach((key, tensor) -> {
                Optional<LoraLayout.TensorName> name = LoraLayout.PEFT.parse(key).filter(n -> n.part() != LoraLayout.Part.ALPHA);
                if (name.isEmpty()) {
                    problems.add(componentKey + "." + key + ": not a <path>.lora_A.weight / lora_B.weight key");
                } else {
                    pairs.computeIfAbsent(name.get().module(), m -> new EnumMap<>(LoraLayout.Part.class)).put(name.get().part(), tensor);
                }
            });
            pairs.forEach((path, parts) -> {
                String full = componentKey + "." + path;
                LoraSpec spec = specs.get(full);
                unusedSpecs.remove(full);
                NDArray down = parts.get(LoraLayout.Part.DOWN);
                NDArray up = parts.get(LoraLayout.Part.UP);
                if (down == null || up == null || spec == null) {
                    problems.add(full + ": needs lora_A, lora_B and a rank/alpha, has "
                            + (down == null ? "" : "lora_A ") + (up == null ? "" : "lora_B ") + (spec == null ? "" : spec));
                } else if (down.getShape().get(0) != spec.rank()) {
                    problems.add(full + ": lora_A " + down.getShape() + " is not of rank " + spec.rank());
                } else {
                    String canonical = component == Component.TEXT_ENCODER ? AdaptableModules.textModelPath(path) : path;
                    modules.add(new LoraModule(new ModuleRef(component, canonical), down, up, spec.alpha()));
                }
            });
        });
        unusedSpecs.forEach(s -> problems.add(s + ": rank/alpha given but no tensors"));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("LoRA adapters do not pair up:\n  " + String.join("\n  ", problems));
        }
        return new LoraWeights(modules);
    }
}
