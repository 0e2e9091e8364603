package org.sdspark.model.lora;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.sdspark.model.nn.ModelLoadException;

/**
 * How a LoRA file's tensors map onto a model, worked out from the names and shapes in its header
 * alone: for each adapted layer, its down and up tensors, its rank and where its alpha comes from.
 * Anything that does not fit (an unknown layer, a down without its up, shapes that do not fit the
 * layer, adapter kinds other than LoRA/LoCon, a second text encoder) is listed, all at once, in one
 * {@link ModelLoadException} naming the file and the keys.
 */
public record LoraPlan(LoraLayout layout, List<Entry> entries) {
    private static final int LISTED = 30;

    /** One adapted layer: its tensors' keys in the file, rank, and alpha. */
    public record Entry(ModuleRef module, String downKey, String upKey, int rank, Alpha alpha) {
    }

    /** The alpha of a layer: written in the file header (metadata, or implied = rank), or a scalar tensor. */
    public sealed interface Alpha {
        record Known(double value) implements Alpha {
        }

        record InTensor(String key) implements Alpha {
        }
    }

    public LoraPlan {
        entries = List.copyOf(entries);
    }

    /**
     * @param source the file, for messages
     * @param shapes every tensor of the file by name
     * @param metadata the file's safetensors metadata
     */
    public static LoraPlan of(String source, Map<String, long[]> shapes, Map<String, String> metadata,
                              AdaptableModules modules, KohyaNames names) {
        LoraLayout layout = LoraLayout.detect(shapes.keySet()).orElseThrow(() -> new ModelLoadException(source
                + " is not a LoRA file: no tensor is named like a LoRA's (<module>.lora_A.weight / lora_B.weight"
                + " or lora_unet_<module>.lora_down.weight / lora_up.weight); its tensors: " + sample(shapes.keySet())
                + (shapes.containsKey("emb_params") || shapes.size() == 1 ? " (a textual inversion embedding? use --embedding)" : "")));
        Problems problems = new Problems();
        Map<String, Map<LoraLayout.Part, String>> byModule = byModule(layout, shapes.keySet(), problems);
        Map<Component, Optional<PeftAdapterConfig>> configs = new EnumMap<>(Component.class);
        for (Component c : Component.values()) {
            configs.put(c, layout == LoraLayout.PEFT ? PeftAdapterConfig.read(metadata, c, source) : Optional.empty());
        }
        Reader reader = new Reader(layout, shapes, modules, names, problems, configs,
                layout == LoraLayout.PEFT && byModule.keySet().stream().noneMatch(LoraPlan::hasComponentPrefix));
        List<Entry> entries = new ArrayList<>();
        byModule.forEach((name, parts) -> reader.entry(name, parts).ifPresent(entries::add));
        problems.throwIfAny(source, layout);
        return new LoraPlan(layout, entries);
    }

    /** The file's tensors grouped by the module they adapt, as the file names it. */
    private static Map<String, Map<LoraLayout.Part, String>> byModule(LoraLayout layout, Collection<String> keys, Problems problems) {
        Map<String, Map<LoraLayout.Part, String>> byModule = new LinkedHashMap<>();
        for (String key : keys) {
            Optional<LoraLayout.TensorName> name = layout.parse(key);
            if (name.isPresent()) {
                byModule.computeIfAbsent(name.get().module(), m -> new EnumMap<>(LoraLayout.Part.class)).put(name.get().part(), key);
            } else {
                problems.add(LoraLayout.otherKind(key).map(kind -> "unsupported adapter kind " + kind)
                        .orElse("not a LoRA tensor of the " + layout + " layout"), key);
            }
        }
        return byModule;
    }

    /** Works out one module's entry, or records why it has none. */
    private record Reader(LoraLayout layout, Map<String, long[]> shapes, AdaptableModules modules, KohyaNames names,
                          Problems problems, Map<Component, Optional<PeftAdapterConfig>> configs, boolean unprefixed) {

        Optional<Entry> entry(String name, Map<LoraLayout.Part, String> parts) {
            String down = parts.get(LoraLayout.Part.DOWN);
            String up = parts.get(LoraLayout.Part.UP);
            if (down == null || up == null) {
                LoraLayout.Part missing = down == null ? LoraLayout.Part.DOWN : LoraLayout.Part.UP;
                problems.add("has no " + missing.name().toLowerCase(Locale.ROOT) + " tensor (" + layout.suffix(missing) + ")", name);
                return Optional.empty();
            }
            Optional<ModuleRef> module = layout == LoraLayout.KOHYA ? resolveKohya(name, names, problems)
                    : resolvePeft(unprefixed ? Component.UNET.key() + "." + name : name, modules, problems);
            if (module.isEmpty()) {
                return Optional.empty();
            }
            long[] weight = modules.weightShape(module.get());
            if (!fits(shapes.get(down), shapes.get(up), weight)) {
                problems.add("down " + Arrays.toString(shapes.get(down)) + " and up " + Arrays.toString(shapes.get(up))
                        + " do not fit " + module.get() + ".weight " + Arrays.toString(weight), name);
                return Optional.empty();
            }
            int rank = (int) shapes.get(down)[0];
            return alpha(name, parts, module.get().component(), rank).map(alpha -> new Entry(module.get(), down, up, rank, alpha));
        }

        /** From the PEFT config of the module's component if the file has one, else its alpha tensor, else rank. */
        private Optional<Alpha> alpha(String name, Map<LoraLayout.Part, String> parts, Component component, int rank) {
            Optional<PeftAdapterConfig> config = configs.get(component);
            if (config.isEmpty()) {
                String alphaKey = parts.get(LoraLayout.Part.ALPHA);
                return Optional.of(alphaKey != null ? new Alpha.InTensor(alphaKey) : new Alpha.Known(rank));
            }
            String path = unprefixed ? name : name.substring(name.indexOf('.') + 1);
            if (config.get().useDora()) {
                problems.add("unsupported adapter kind DoRA (use_dora in " + PeftAdapterConfig.METADATA_KEY + ")", name);
                return Optional.empty();
            }
            if (config.get().rank(path) != rank) {
                problems.add("has rank " + rank + " but " + PeftAdapterConfig.METADATA_KEY + " says " + config.get().rank(path), name);
                return Optional.empty();
            }
            return Optional.of(new Alpha.Known(config.get().effectiveAlpha(path, rank)));
        }
    }

    private static boolean hasComponentPrefix(String module) {
        String first = module.substring(0, Math.max(module.indexOf('.'), 0));
        return Arrays.stream(Component.values()).anyMatch(c -> c.key().equals(first)) || first.equals("text_encoder_2");
    }

    private static Optional<ModuleRef> resolveKohya(String name, KohyaNames names, Problems problems) {
        if (name.startsWith("lora_te2_")) {
            problems.add("belongs to a second text encoder (an SDXL LoRA?); this model has one", name);
            return Optional.empty();
        }
        Optional<ModuleRef> module = names.resolve(name);
        if (module.isEmpty()) {
            problems.unknown(name);
        }
        return module;
    }

    private static Optional<ModuleRef> resolvePeft(String name, AdaptableModules modules, Problems problems) {
        int dot = name.indexOf('.');
        String component = dot < 0 ? name : name.substring(0, dot);
        if (component.equals("text_encoder_2")) {
            problems.add("belongs to a second text encoder (an SDXL LoRA?); this model has one", name);
            return Optional.empty();
        }
        if (dot < 0 || Arrays.stream(Component.values()).noneMatch(c -> c.key().equals(component))) {
            problems.add("names no component (expected unet. or text_encoder.)", name);
            return Optional.empty();
        }
        Component c = Component.byKey(component);
        String path = name.substring(dot + 1);
        ModuleRef module = new ModuleRef(c, c == Component.TEXT_ENCODER ? AdaptableModules.textModelPath(path) : path);
        if (!modules.contains(module)) {
            problems.unknown(name);
            return Optional.empty();
        }
        return Optional.of(module);
    }

    /**
     * down (r, in) or (r, in, k, k), up (out, r) or (out, r, 1, 1), against the layer's (out, in[, k, k]):
     * a LoRA made on a 1x1 conv applies to the same layer stored as a linear and back.
     */
    static boolean fits(long[] down, long[] up, long[] weight) {
        if (!(down.length == 2 || down.length == 4) || !(up.length == 2 || up.length == 4)) {
            return false;
        }
        long upKernel = up.length == 4 ? up[2] * up[3] : 1;
        return up[1] == down[0] && up[0] == weight[0] && upKernel == 1 && down[0] > 0
                && product(down, 1) == product(weight, 1);
    }

    private static long product(long[] shape, int from) {
        long n = 1;
        for (int i = from; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    private static String sample(Collection<String> keys) {
        List<String> first = keys.stream().limit(5).toList();
        return first + (keys.size() > first.size() ? " and " + (keys.size() - first.size()) + " more" : "");
    }

    /** Problems found in a file, reported together. */
    private static final class Problems {
        private final List<String> lines = new ArrayList<>();
        private final TreeSet<String> unknown = new TreeSet<>();

        void add(String what, String key) {
            lines.add(key + ": " + what);
        }

        void unknown(String module) {
            unknown.add(module);
        }

        void throwIfAny(String source, LoraLayout layout) {
            if (lines.isEmpty() && unknown.isEmpty()) {
                return;
            }
            StringBuilder msg = new StringBuilder(source + " (" + layout + " layout) does not fit this model:");
            lines.stream().limit(LISTED).forEach(l -> msg.append("\n  ").append(l));
            if (lines.size() > LISTED) {
                msg.append("\n  ... and ").append(lines.size() - LISTED).append(" more");
            }
            if (!unknown.isEmpty()) {
                msg.append("\n  ").append(unknown.size()).append(" module(s) the model does not have (a LoRA for another"
                        + " architecture, e.g. SDXL, or for SD 2.x on SD 1.x?):");
                unknown.stream().limit(LISTED).forEach(m -> msg.append("\n    ").append(m));
                if (unknown.size() > LISTED) {
                    msg.append("\n    ... and ").append(unknown.size() - LISTED).append(" more");
                }
            }
            throw new ModelLoadException(msg.toString());
        }
    }
}
