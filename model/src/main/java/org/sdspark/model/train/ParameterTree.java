package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdspark.model.nn.KeyGlob;
import org.sdspark.model.nn.StateDict;

/**
 * Every tensor of the trained components by full key: component + "." + checkpoint key
 * ({@code unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight},
 * {@code text_encoder.text_model.encoder.layers.0.self_attn.q_proj.weight}), adapter tensors
 * included ({@code unet.<module>.lora_A.weight}). Freezing, the optimizer, EMA, clipping,
 * checkpoints and the all-reduce all walk a {@link #select selection} of it, in tree order.
 */
public final class ParameterTree {
    private final Map<String, NDArray> tensors;

    private ParameterTree(Map<String, NDArray> tensors) {
        this.tensors = tensors;
    }

    /** The components' tensors (floating-point only), then their adapters', component by component. */
    public static ParameterTree of(Map<String, StateDict> components) {
        Map<String, NDArray> all = new LinkedHashMap<>();
        components.forEach((name, dict) -> {
            add(all, name, dict);
            if (dict.adapters() != null) {
                add(all, name, dict.adapters());
            }
        });
        return new ParameterTree(all);
    }

    private static void add(Map<String, NDArray> all, String component, StateDict dict) {
        dict.tensors().forEach((key, t) -> {
            if (t.getDataType().isFloating()) {
                all.put(component + "." + key, t);
            }
        });
    }

    public List<String> keys() {
        return new ArrayList<>(tensors.keySet());
    }

    public NDArray get(String key) {
        NDArray t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("no parameter '" + key + "'");
        }
        return t;
    }

    /**
     * The parameters matching any of {@code globs}, in tree order. Each glob must match
     * something: a pattern that selects nothing is a configuration error, named with an example key.
     */
    public List<Parameter> select(List<String> globs) {
        List<KeyGlob> patterns = globs.stream().map(KeyGlob::of).toList();
        for (KeyGlob p : patterns) {
            if (tensors.keySet().stream().noneMatch(p::matches)) {
                throw new IllegalArgumentException("parameter pattern '" + p + "' matches nothing; keys look like '"
                        + tensors.keySet().iterator().next() + "'");
            }
        }
        List<Parameter> selected = new ArrayList<>();
        tensors.forEach((k, t) -> {
            if (KeyGlob.anyMatches(patterns, k)) {
                selected.add(new Parameter(k, t));
            }
        });
        return selected;
    }

    /** Only {@code trained} will get gradients; every other tensor of the tree is frozen. */
    public void freezeAllBut(List<Parameter> trained) {
        tensors.values().forEach(t -> t.setRequiresGradient(false));
        trained.forEach(p -> p.tensor().setRequiresGradient(true));
    }
}
