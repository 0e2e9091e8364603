package org.sdspark.model.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AutoencoderKL keys: diffusers {@code encoder.down_blocks.i.resnets.j} is original
 * {@code encoder.down.i.block.j}; the decoder's levels are numbered from the bottom in the original
 * ({@code decoder.up_blocks.0} is {@code decoder.up.<levels-1>}); the mid-block attention's
 * projections are linear in diffusers and 1x1 convolutions in the original.
 */
public final class VaeKeyMap {
    private static final Map<String, String> RESNET = Map.of("conv_shortcut", "nin_shortcut");
    private static final Map<String, String> ATTENTION = Map.of(
            "group_norm", "norm",
            "to_q", "q",
            "to_k", "k",
            "to_v", "v",
            "to_out.0", "proj_out");
    private static final Set<String> ATTENTION_CONV = Set.of("to_q", "to_k", "to_v", "to_out.0");

    private VaeKeyMap() {
    }

    public static KeyMap of(VaeLayout layout) {
        List<KeyMap.Rule> rules = new ArrayList<>();
        rules.add(KeyMap.Rule.prefix("", ""));
        for (String part : List.of("encoder.", "decoder.")) {
            rules.add(KeyMap.Rule.prefix(part + "conv_norm_out.", part + "norm_out."));
            rules.add(resnet(part + "mid_block.resnets.0.", part + "mid.block_1."));
            rules.add(resnet(part + "mid_block.resnets.1.", part + "mid.block_2."));
            rules.add(KeyMap.Rule.prefix(part + "mid_block.attentions.0.", part + "mid.attn_1.")
                    .withRenames(ATTENTION).withLinearAsConv(ATTENTION_CONV));
        }
        int last = layout.blocks() - 1;
        for (int i = 0; i <= last; i++) {
            for (int j = 0; j < layout.layersPerBlock(); j++) {
                rules.add(resnet("encoder.down_blocks." + i + ".resnets." + j + ".", "encoder.down." + i + ".block." + j + "."));
            }
            int level = last - i;
            for (int j = 0; j <= layout.layersPerBlock(); j++) {
                rules.add(resnet("decoder.up_blocks." + i + ".resnets." + j + ".", "decoder.up." + level + ".block." + j + "."));
            }
            if (i < last) {
                rules.add(KeyMap.Rule.prefix("encoder.down_blocks." + i + ".downsamplers.0.", "encoder.down." + i + ".downsample."));
                rules.add(KeyMap.Rule.prefix("decoder.up_blocks." + i + ".upsamplers.0.", "decoder.up." + level + ".upsample."));
            }
        }
        return new KeyMap(rules);
    }

    private static KeyMap.Rule resnet(String diffusers, String original) {
        return KeyMap.Rule.prefix(diffusers, original).withRenames(RESNET);
    }
}
