package org.sdspark.model.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * UNet keys: diffusers {@code down_blocks / mid_block / up_blocks} against the original
 * {@code input_blocks / middle_block / output_blocks}, which number every resnet (with its attention
 * beside it as {@code .1}) and every down/upsampler as one flat sequence.
 */
public final class UnetKeyMap {
    private static final Map<String, String> RESNET = Map.of(
            "norm1", "in_layers.0",
            "conv1", "in_layers.2",
            "norm2", "out_layers.0",
            "conv2", "out_layers.3",
            "time_emb_proj", "emb_layers.1",
            "conv_shortcut", "skip_connection");

    private UnetKeyMap() {
    }

    public static KeyMap of(UnetLayout layout) {
        List<KeyMap.Rule> rules = new ArrayList<>();
        rules.add(KeyMap.Rule.prefix("", ""));
        rules.add(KeyMap.Rule.prefix("conv_in.", "input_blocks.0.0."));
        rules.add(KeyMap.Rule.prefix("time_embedding.linear_1.", "time_embed.0."));
        rules.add(KeyMap.Rule.prefix("time_embedding.linear_2.", "time_embed.2."));
        if (layout.textTime()) {
            // SDXL's text_time embedding is LDM's label_emb (its "adm" input).
            rules.add(KeyMap.Rule.prefix("add_embedding.linear_1.", "label_emb.0.0."));
            rules.add(KeyMap.Rule.prefix("add_embedding.linear_2.", "label_emb.0.2."));
        }
        rules.add(KeyMap.Rule.prefix("conv_norm_out.", "out.0."));
        rules.add(KeyMap.Rule.prefix("conv_out.", "out.2."));

        int last = layout.blocks() - 1;
        int input = 1;
        for (int i = 0; i <= last; i++) {
            for (int j = 0; j < layout.downLayers(i); j++, input++) {
                rules.add(resnet("down_blocks." + i + ".resnets." + j + ".", "input_blocks." + input + ".0."));
                if (layout.downAttention().get(i)) {
                    rules.add(KeyMap.Rule.prefix("down_blocks." + i + ".attentions." + j + ".", "input_blocks." + input + ".1."));
                }
            }
            if (i < last) {
                rules.add(KeyMap.Rule.prefix("down_blocks." + i + ".downsamplers.0.conv.", "input_blocks." + input + ".0.op."));
                input++;
            }
        }

        rules.add(resnet("mid_block.resnets.0.", "middle_block.0."));
        rules.add(KeyMap.Rule.prefix("mid_block.attentions.0.", "middle_block.1."));
        rules.add(resnet("mid_block.resnets.1.", "middle_block.2."));

        int output = 0;
        for (int i = 0; i <= last; i++) {
            boolean attention = layout.upAttention().get(i);
            for (int j = 0; j < layout.upLayers(i); j++, output++) {
                rules.add(resnet("up_blocks." + i + ".resnets." + j + ".", "output_blocks." + output + ".0."));
                if (attention) {
                    rules.add(KeyMap.Rule.prefix("up_blocks." + i + ".attentions." + j + ".", "output_blocks." + output + ".1."));
                }
                // The upsampler sits after the block's last resnet (and its attention, if any).
                if (j == layout.upLayers(i) - 1 && i < last) {
                    rules.add(KeyMap.Rule.prefix("up_blocks." + i + ".upsamplers.0.",
                            "output_blocks." + output + "." + (attention ? 2 : 1) + "."));
                }
            }
        }
        return new KeyMap(rules);
    }

    private static KeyMap.Rule resnet(String diffusers, String original) {
        return KeyMap.Rule.prefix(diffusers, original).withRenames(RESNET);
    }
}
