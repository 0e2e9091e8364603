package org.sdspark.jobs.train.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sdspark.model.lora.LoraLayout;
import org.sdspark.model.nn.AdapterPlan;
import org.sdspark.model.nn.LoraSpec;
import org.sdspark.prep.Block;

/**
 * {@code sdspark.train.lora}: the branches' shape, where they go (named target sets or module-path
 * globs) and the file layouts written at the end. LoCon adds the resnets' convolutions with their
 * own rank and alpha.
 */
public record LoraSettings(int rank, double alpha, double dropout, AdapterPlan.Init init, List<String> unetTargets,
                           List<String> textEncoderTargets, int convRank, double convAlpha, List<LoraLayout> layouts)
        implements Serializable {

    private static final Map<String, List<String>> UNET = Map.of("attention", AdapterPlan.UNET_ATTENTION,
            "projections", AdapterPlan.UNET_PROJECTIONS, "feed-forward", AdapterPlan.UNET_FEED_FORWARD);
    private static final Map<String, List<String>> TEXT = Map.of("attention", AdapterPlan.TEXT_ATTENTION,
            "mlp", AdapterPlan.TEXT_MLP);

    public LoraSettings {
        unetTargets = List.copyOf(unetTargets);
        textEncoderTargets = List.copyOf(textEncoderTargets);
        layouts = List.copyOf(layouts);
    }

    public static LoraSettings read(Block train) {
        Block b = train.child("lora");
        int rank = b.positive("rank");
        double alpha = positiveNumber(b, "alpha");
        double dropout = b.nonNegative("dropout");
        if (dropout >= 1) {
            throw b.bad("dropout", "must be in [0, 1), got " + dropout);
        }
        List<String> unet = targets(b, "unet-targets", UNET);
        List<String> text = targets(b, "text-encoder-targets", TEXT);
        if (unet.isEmpty()) {
            throw b.bad("unet-targets", "must name at least one target: " + String.join(", ", UNET.keySet()) + ", or globs");
        }
        List<LoraLayout> layouts = new ArrayList<>();
        for (String layout : b.getStringList("layouts")) {
            layouts.add(switch (layout) {
                case "peft" -> LoraLayout.PEFT;
                case "kohya" -> LoraLayout.KOHYA;
                default -> throw b.bad("layouts", "has '" + layout + "'; each one of peft, kohya");
            });
        }
        if (layouts.isEmpty()) {
            throw b.bad("layouts", "must name at least one of peft, kohya");
        }
        int convRank = b.atLeast("conv-rank", 0);
        double convAlpha = b.nonNegative("conv-alpha");
        return new LoraSettings(rank, alpha, dropout, b.choice("init", AdapterPlan.Init.class), unet, text,
                convRank == 0 ? rank : convRank, convAlpha == 0 ? alpha : convAlpha, layouts);
    }

    private static double positiveNumber(Block b, String key) {
        double v = b.getDouble(key);
        if (!(v > 0)) {
            throw b.bad(key, "must be > 0, got " + v);
        }
        return v;
    }

    // A name of a preset, or a module-path glob as PEFT's target_modules (anything with '*' or '.').
    private static List<String> targets(Block b, String key, Map<String, List<String>> presets) {
        List<String> globs = new ArrayList<>();
        for (String target : b.getStringList(key)) {
            if (presets.containsKey(target)) {
                globs.addAll(presets.get(target));
            } else if (target.contains("*") || target.contains(".")) {
                globs.add(target);
            } else {
                throw b.bad(key, "has '" + target + "'; each one of " + String.join(", ", presets.keySet().stream().sorted().toList())
                        + ", or a module-path glob such as *.to_q");
            }
        }
        return globs;
    }

    /** The UNet's plan: LoRA on the targets, and for LoCon also on the resnets' convolutions. */
    public AdapterPlan unetPlan(boolean convolutions, long seed) {
        AdapterPlan plan = AdapterPlan.lora(unetTargets, new LoraSpec(rank, alpha, dropout), init, seed);
        return convolutions ? plan.and(AdapterPlan.Rule.of(AdapterPlan.UNET_RESNET_CONVS, new LoraSpec(convRank, convAlpha, dropout)))
                : plan;
    }

    public AdapterPlan textEncoderPlan(long seed) {
        return AdapterPlan.lora(textEncoderTargets, new LoraSpec(rank, alpha, dropout), init, seed);
    }
}
