package org.sdspark.model.checkpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Key names of one component in the diffusers layout and the original layout, related by module
 * prefixes ({@code down_blocks.0.resnets.1.} is {@code input_blocks.2.0.}) and, inside a module,
 * renamed sub-modules ({@code norm1} is {@code in_layers.0}). Pure string logic: the layouts differ
 * only in names, a few reshapes and the fused OpenCLIP attention projection.
 *
 * <p>The longest matching prefix wins, so an exact module rule overrides the pass-through root
 * rule. Keys no rule knows keep their name, so a checker downstream reports them as unexpected.
 */
public final class KeyMap {

    /**
     * One module: its diffusers and original prefixes (ending in '.'; "" for the root; a whole key
     * when the original stores a bare parameter, e.g. OpenCLIP's {@code positional_embedding}), sub-module
     * renames (diffusers -> original), sub-modules stored as linear in diffusers and 1x1 conv in the
     * original, an optional fusion of several diffusers sub-modules into one original parameter stem, and
     * whether a whole-key rule's tensor is stored transposed (OpenCLIP's {@code text_projection}).
     */
    public record Rule(String diffusers, String original, Map<String, String> renames,
                       Set<String> linearAsConv, Fusion fusion, boolean transposed) {
        public Rule {
            renames = Map.copyOf(renames);
            linearAsConv = Set.copyOf(linearAsConv);
        }

        public static Rule prefix(String diffusers, String original) {
            return new Rule(diffusers, original, Map.of(), Set.of(), null, false);
        }

        /** One tensor whose original is its transpose, e.g. a linear weight stored as OpenCLIP's (in, out) matrix. */
        public static Rule transposed(String diffusersKey, String originalKey) {
            return new Rule(diffusersKey, originalKey, Map.of(), Set.of(), null, true);
        }

        public Rule withRenames(Map<String, String> renames) {
            return new Rule(diffusers, original, renames, linearAsConv, fusion, transposed);
        }

        public Rule withLinearAsConv(Set<String> modules) {
            return new Rule(diffusers, original, renames, modules, fusion, transposed);
        }

        public Rule withFusion(Fusion fusion) {
            return new Rule(diffusers, original, renames, linearAsConv, fusion, transposed);
        }
    }

    /** Diffusers sub-modules (e.g. q_proj, k_proj, v_proj) whose parameter p is original {@code stem + p}. */
    public record Fusion(List<String> modules, String stem) {
        public Fusion {
            modules = List.copyOf(modules);
        }
    }

    private final List<Rule> byDiffusers;
    private final List<Rule> byOriginal;

    public KeyMap(List<Rule> rules) {
        this.byDiffusers = sortedByPrefix(rules, Rule::diffusers);
        this.byOriginal = sortedByPrefix(rules, Rule::original);
    }

    private static List<Rule> sortedByPrefix(List<Rule> rules, Function<Rule, String> prefix) {
        List<Rule> sorted = new ArrayList<>(rules);
        sorted.sort(Comparator.comparingInt((Rule r) -> prefix.apply(r).length()).reversed());
        return List.copyOf(sorted);
    }

    /** Correspondences covering every given diffusers key, in the order the keys come (fusions once). */
    public List<Correspondence> fromDiffusers(Iterable<String> diffusersKeys) {
        Map<String, Correspondence> byOriginalKey = new LinkedHashMap<>();
        for (String key : diffusersKeys) {
            Correspondence c = forDiffusers(key);
            byOriginalKey.putIfAbsent(c.original(), c);
        }
        return List.copyOf(byOriginalKey.values());
    }

    /** Correspondences covering every given original key, in the order the keys come. */
    public List<Correspondence> fromOriginal(Iterable<String> originalKeys) {
        List<Correspondence> out = new ArrayList<>();
        for (String key : originalKeys) {
            out.add(forOriginal(key));
        }
        return out;
    }

    public Correspondence forDiffusers(String key) {
        Rule rule = match(byDiffusers, Rule::diffusers, key);
        if (rule == null) {
            return new Correspondence.Renamed(key, key);
        }
        String rest = key.substring(rule.diffusers().length());
        int dot = rest.lastIndexOf('.');
        String module = dot < 0 ? "" : rest.substring(0, dot);
        String param = rest.substring(dot + 1);
        if (rule.fusion() != null && rule.fusion().modules().contains(module)) {
            List<String> parts = rule.fusion().modules().stream()
                    .map(m -> rule.diffusers() + m + "." + param).toList();
            return new Correspondence.Fused(parts, rule.original() + rule.fusion().stem() + param);
        }
        String renamed = rule.renames().getOrDefault(module, module);
        String original = rule.original() + (module.isEmpty() ? param : renamed + "." + param);
        if (rule.transposed()) {
            return new Correspondence.Transposed(key, original);
        }
        if (param.equals("weight") && rule.linearAsConv().contains(module)) {
            return new Correspondence.LinearAsConv(key, original);
        }
        return new Correspondence.Renamed(key, original);
    }

    public Correspondence forOriginal(String key) {
        Rule rule = match(byOriginal, Rule::original, key);
        if (rule == null) {
            return new Correspondence.Renamed(key, key);
        }
        String rest = key.substring(rule.original().length());
        if (rule.fusion() != null && rest.startsWith(rule.fusion().stem())) {
            String param = rest.substring(rule.fusion().stem().length());
            List<String> parts = rule.fusion().modules().stream()
                    .map(m -> rule.diffusers() + m + "." + param).toList();
            return new Correspondence.Fused(parts, key);
        }
        int dot = rest.lastIndexOf('.');
        String module = dot < 0 ? "" : rest.substring(0, dot);
        String param = rest.substring(dot + 1);
        String diffusersModule = inverse(rule.renames()).getOrDefault(module, module);
        String diffusers = rule.diffusers() + (module.isEmpty() ? param : diffusersModule + "." + param);
        if (rule.transposed()) {
            return new Correspondence.Transposed(diffusers, key);
        }
        if (param.equals("weight") && rule.linearAsConv().contains(diffusersModule)) {
            return new Correspondence.LinearAsConv(diffusers, key);
        }
        return new Correspondence.Renamed(diffusers, key);
    }

    private static Rule match(List<Rule> rules, Function<Rule, String> prefix, String key) {
        for (Rule r : rules) {
            String p = prefix.apply(r);
            boolean exact = !p.isEmpty() && !p.endsWith(".");
            if (exact ? key.equals(p) : key.startsWith(p)) {
                return r;
            }
        }
        return null;
    }

    private static Map<String, String> inverse(Map<String, String> renames) {
        Map<String, String> inv = new LinkedHashMap<>();
        renames.forEach((d, o) -> inv.put(o, d));
        return inv;
    }
}
