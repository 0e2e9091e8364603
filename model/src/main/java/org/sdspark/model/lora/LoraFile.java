package org.sdspark.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.io.TensorInfo;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;

/** Reads and writes LoRA/LoCon safetensors files in either {@link LoraLayout}. */
public final class LoraFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoraFile() {
    }

    /**
     * Reads the adapters of {@code file} that fit {@code modules} (any layout; a layer named by its
     * LDM path too), in float32, owned by {@code manager}. Fails naming the file and every key that
     * does not fit.
     */
    public static LoraWeights read(NDManager manager, Path file, AdaptableModules modules, KohyaNames names) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, String> metadata;
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            for (TensorInfo info : st.tensors().values()) {
                shapes.put(info.name(), info.shape());
            }
            metadata = st.metadata();
        }
        LoraPlan plan;
        try {
            plan = LoraPlan.of(file.toString(), shapes, metadata, modules, names);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(e.getMessage());
        }
        Set<String> needed = new HashSet<>();
        for (LoraPlan.Entry e : plan.entries()) {
            needed.add(e.downKey());
            needed.add(e.upKey());
            if (e.alpha() instanceof LoraPlan.Alpha.InTensor t) {
                needed.add(t.key());
            }
        }
        List<LoraModule> adapters = new ArrayList<>();
        try (StateDict tensors = StateDict.load(manager, needed::contains, file)) {
            for (LoraPlan.Entry e : plan.entries()) {
                NDArray down = tensors.tensors().get(e.downKey());
                NDArray up = tensors.tensors().get(e.upKey());
                down.attach(manager);
                up.attach(manager);
                try {
                    adapters.add(new LoraModule(e.module(), down, up, alpha(e, tensors, file)));
                } catch (IllegalArgumentException bad) {
                    throw new ModelLoadException(file + ": " + bad.getMessage());
                }
            }
        }
        return new LoraWeights(adapters);
    }

    private static double alpha(LoraPlan.Entry e, StateDict tensors, Path file) {
        if (e.alpha() instanceof LoraPlan.Alpha.Known k) {
            return k.value();
        }
        String key = ((LoraPlan.Alpha.InTensor) e.alpha()).key();
        NDArray t = tensors.tensors().get(key);
        if (t.size() != 1) {
            throw new ModelLoadException(file + ": " + key + " has shape " + t.getShape() + ", an alpha is one number");
        }
        double alpha = t.toType(DataType.FLOAT64, false).toDoubleArray()[0];
        // kohya treats alpha 0 (or none) as alpha = rank: no scaling
        return alpha == 0 ? e.rank() : alpha;
    }

    /**
     * Writes {@code lora} in {@code layout}: PEFT with diffusers' {@code lora_adapter_metadata} (so
     * {@code load_lora_weights} applies each module's alpha), kohya with a scalar {@code .alpha} per
     * module and kohya's network metadata. Tensors keep their dtype; text encoder modules are named as
     * {@link LoraLayout#moduleName} says.
     */
    public static void write(Path file, LoraWeights lora, LoraLayout layout) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        List<NDArray> created = new ArrayList<>();
        try {
            for (LoraModule m : lora.modules()) {
                tensors.put(layout.key(m.module(), LoraLayout.Part.DOWN), m.down());
                tensors.put(layout.key(m.module(), LoraLayout.Part.UP), m.up());
                if (layout == LoraLayout.KOHYA) {
                    NDArray alpha = m.down().getManager().create((float) m.alpha());
                    created.add(alpha);
                    tensors.put(layout.key(m.module(), LoraLayout.Part.ALPHA), alpha);
                }
            }
            StateDict.write(file, tensors, layout == LoraLayout.PEFT ? peftMetadata(lora) : kohyaMetadata(lora));
        } finally {
            created.forEach(NDArray::close);
        }
    }

    private static Map<String, String> peftMetadata(LoraWeights lora) throws IOException {
        ObjectNode adapter = JSON.createObjectNode();
        Map<Component, Map<String, Integer>> ranks = new EnumMap<>(Component.class);
        Map<Component, Map<String, Double>> alphas = new EnumMap<>(Component.class);
        for (LoraModule m : lora.modules()) {
            String path = LoraLayout.peftPath(m.module());
            ranks.computeIfAbsent(m.module().component(), c -> new TreeMap<>()).put(path, m.rank());
            alphas.computeIfAbsent(m.module().component(), c -> new TreeMap<>()).put(path, m.alpha());
        }
        ranks.forEach((component, byPath) -> PeftAdapterConfig.describing(byPath, alphas.get(component))
                .putInto(adapter, component, List.copyOf(byPath.keySet())));
        Map<String, String> metadata = new TreeMap<>();
        metadata.put("format", "pt");
        metadata.put(PeftAdapterConfig.METADATA_KEY, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(adapter));
        return metadata;
    }

    // What kohya's trainer records about the network; A1111 and ComfyUI read only the tensors.
    private static Map<String, String> kohyaMetadata(LoraWeights lora) {
        Map<String, Integer> ranks = new TreeMap<>();
        Map<String, Double> alphas = new TreeMap<>();
        lora.modules().forEach(m -> {
            ranks.put(m.module().toString(), m.rank());
            alphas.put(m.module().toString(), m.alpha());
        });
        PeftAdapterConfig common = PeftAdapterConfig.describing(ranks, alphas);
        Map<String, String> metadata = new TreeMap<>();
        metadata.put("ss_network_module", "networks.lora");
        metadata.put("ss_network_dim", Integer.toString(common.r()));
        metadata.put("ss_network_alpha", number(common.loraAlpha()));
        return metadata;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
