package org.sdspark.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyMapTest {
    private static final List<Integer> SD_UNET_CHANNELS = List.of(320, 640, 1280, 1280);
    private static final List<Boolean> SD_DOWN = List.of(true, true, true, false);
    private static final List<Boolean> SD_UP = List.of(false, true, true, true);
    private static final UnetLayout SD_UNET = new UnetLayout(SD_DOWN, SD_UP, 2);
    private static final VaeLayout SD_VAE = new VaeLayout(4, 2);

    @Test
    void sd15UnetMapsToTheLdmNamesAndBack() {
        List<String> keys = DiffusersKeyNames.unet(SD_UNET_CHANNELS, SD_DOWN, SD_UP, 2);
        assertThat(keys).hasSize(686);
        Set<String> original = assertRoundTrip(UnetKeyMap.of(SD_UNET), keys);
        // names every SD 1.x checkpoint has (diffusers' single-file detection keys among them)
        assertThat(original).contains(
                "output_blocks.11.0.skip_connection.weight",
                "input_blocks.2.1.transformer_blocks.0.attn2.to_k.weight",
                "input_blocks.3.0.op.weight", "input_blocks.9.0.op.bias",
                "input_blocks.11.0.out_layers.3.weight", "input_blocks.4.0.emb_layers.1.weight",
                "middle_block.1.proj_in.weight", "middle_block.2.in_layers.0.bias",
                "output_blocks.2.1.conv.weight", "output_blocks.5.2.conv.weight", "output_blocks.8.2.conv.bias",
                "time_embed.0.weight", "time_embed.2.bias", "out.0.weight", "out.2.bias", "input_blocks.0.0.weight");
        assertThat(original).noneMatch(k -> k.contains("input_blocks.12") || k.startsWith("output_blocks.12")
                || k.startsWith("output_blocks.11.2") || k.startsWith("input_blocks.10.1"));
    }

    @Test
    void sd15VaeReshapesTheMidAttentionAndNumbersDecoderLevelsFromTheBottom() {
        List<String> keys = DiffusersKeyNames.vae(List.of(128, 256, 512, 512), 2);
        assertThat(keys).hasSize(248);
        KeyMap map = VaeKeyMap.of(SD_VAE);
        Set<String> original = assertRoundTrip(map, keys);
        assertThat(original).contains(
                "encoder.down.1.block.0.nin_shortcut.weight", "encoder.down.0.downsample.conv.weight",
                "decoder.up.3.upsample.conv.weight", "decoder.up.0.block.0.nin_shortcut.bias",
                "decoder.up.3.block.2.conv2.weight", "encoder.mid.attn_1.q.weight", "decoder.mid.attn_1.proj_out.bias",
                "encoder.mid.attn_1.norm.weight", "encoder.mid.block_2.conv1.weight", "encoder.norm_out.weight",
                "quant_conv.weight", "post_quant_conv.bias");
        assertThat(original).noneMatch(k -> k.contains("upsample") && k.startsWith("decoder.up.0."));
        assertThat(map.forDiffusers("decoder.mid_block.attentions.0.to_out.0.weight"))
                .isEqualTo(new Correspondence.LinearAsConv("decoder.mid_block.attentions.0.to_out.0.weight",
                        "decoder.mid.attn_1.proj_out.weight"));
        assertThat(map.forDiffusers("decoder.mid_block.attentions.0.to_out.0.bias"))
                .isInstanceOf(Correspondence.Renamed.class);
        assertThat(map.forOriginal("encoder.mid.attn_1.k.weight"))
                .isEqualTo(new Correspondence.LinearAsConv("encoder.mid_block.attentions.0.to_k.weight",
                        "encoder.mid.attn_1.k.weight"));
    }

    @Test
    void openClipFusesQueryKeyValueAndRenamesLayers() {
        List<String> keys = DiffusersKeyNames.clipText(23);
        KeyMap map = TextEncoderKeyMap.openClip(23);
        List<Correspondence> forward = map.fromDiffusers(keys);
        assertThat(forward).hasSize(keys.size() - 23 * 4);
        Set<String> original = assertRoundTrip(map, keys);
        assertThat(original).contains("token_embedding.weight", "positional_embedding", "ln_final.weight",
                "transformer.resblocks.22.attn.in_proj_weight", "transformer.resblocks.0.attn.in_proj_bias",
                "transformer.resblocks.5.attn.out_proj.weight", "transformer.resblocks.5.ln_1.bias",
                "transformer.resblocks.5.mlp.c_fc.weight", "transformer.resblocks.5.mlp.c_proj.bias");
        assertThat(map.forOriginal("transformer.resblocks.3.attn.in_proj_weight")).isEqualTo(new Correspondence.Fused(
                List.of("text_model.encoder.layers.3.self_attn.q_proj.weight",
                        "text_model.encoder.layers.3.self_attn.k_proj.weight",
                        "text_model.encoder.layers.3.self_attn.v_proj.weight"),
                "transformer.resblocks.3.attn.in_proj_weight"));
    }

    @Test
    void clipKeepsTransformersNames() {
        List<String> keys = DiffusersKeyNames.clipText(12);
        assertThat(assertRoundTrip(TextEncoderKeyMap.clip(), keys)).containsExactlyElementsOf(keys);
    }

    @Test
    void mapFollowsTheConfigNotOneSize() {
        // three levels, one resnet per level, attention only in the middle level
        UnetLayout layout = new UnetLayout(List.of(false, true, false), List.of(false, true, false), 1);
        List<String> keys = DiffusersKeyNames.unet(List.of(8, 16, 16), layout.downAttention(), layout.upAttention(), 1);
        Set<String> original = assertRoundTrip(UnetKeyMap.of(layout), keys);
        assertThat(original).contains("input_blocks.1.0.in_layers.0.weight", "input_blocks.2.0.op.weight",
                "input_blocks.3.1.proj_in.weight", "input_blocks.4.0.op.weight", "input_blocks.5.0.in_layers.2.weight",
                "output_blocks.1.1.conv.weight", "output_blocks.2.1.proj_out.bias", "output_blocks.3.2.conv.weight",
                "output_blocks.5.0.skip_connection.weight");
        assertThat(original).noneMatch(k -> k.startsWith("input_blocks.6") || k.startsWith("output_blocks.6"));
    }

    @Test
    void unknownKeysKeepTheirNames() {
        KeyMap map = UnetKeyMap.of(SD_UNET);
        assertThat(map.forOriginal("label_emb.0.0.weight")).isEqualTo(new Correspondence.Renamed("label_emb.0.0.weight", "label_emb.0.0.weight"));
    }

    /** diffusers -> original -> diffusers gives the same keys, and no two diffusers keys share an original one. */
    private static Set<String> assertRoundTrip(KeyMap map, List<String> diffusersKeys) {
        List<Correspondence> forward = map.fromDiffusers(diffusersKeys);
        Set<String> covered = new HashSet<>();
        forward.forEach(c -> assertThat(covered.addAll(c.diffusers())).as("covered once: " + c).isTrue());
        assertThat(covered).containsExactlyInAnyOrderElementsOf(diffusersKeys);
        List<String> original = forward.stream().map(Correspondence::original).toList();
        assertThat(new HashSet<>(original)).hasSameSizeAs(original);
        List<Correspondence> back = map.fromOriginal(original);
        assertThat(back).containsExactlyElementsOf(forward);
        return new java.util.LinkedHashSet<>(original);
    }
}
