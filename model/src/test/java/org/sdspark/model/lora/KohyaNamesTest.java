package org.sdspark.model.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdspark.model.checkpoint.UnetKeyMap;
import org.sdspark.model.checkpoint.UnetLayout;
import org.sdspark.model.testing.Fixtures;

/** kohya names of the tiny pipeline's layers, in diffusers and LDM spelling (pure key logic). */
class KohyaNamesTest {
    // the tiny UNet: CrossAttnDown + Down, Up + CrossAttnUp, two resnets per down block
    private static final UnetLayout TINY = new UnetLayout(List.of(true, false), List.of(false, true), 2);
    private static AdaptableModules modules;
    private static KohyaNames names;

    @BeforeAll
    static void index() throws IOException {
        modules = AdaptableModules.of(SdsparkWrittenAdapters.shapes(Fixtures.path("tiny-sd/unet/diffusion_pytorch_model.safetensors")),
                SdsparkWrittenAdapters.shapes(Fixtures.path("tiny-sd/text_encoder/model.safetensors")));
        names = KohyaNames.index(modules, UnetKeyMap.of(TINY));
    }

    @Test
    void everyLayerIsFoundUnderItsDiffusersName() {
        for (ModuleRef module : modules.modules()) {
            assertThat(names.resolve(KohyaNames.of(module))).as(module.toString()).contains(module);
        }
        assertThat(KohyaNames.of(unet("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0")))
                .isEqualTo("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_out_0");
        assertThat(KohyaNames.of(text("text_model.encoder.layers.0.self_attn.q_proj")))
                .isEqualTo("lora_te_text_model_encoder_layers_0_self_attn_q_proj");
    }

    @Test
    void unetLayersAreFoundUnderTheirLdmNames() {
        Map<String, String> ldm = Map.of(
                "lora_unet_input_blocks_1_1_proj_in", "down_blocks.0.attentions.0.proj_in",
                "lora_unet_input_blocks_2_1_transformer_blocks_0_attn2_to_k", "down_blocks.0.attentions.1.transformer_blocks.0.attn2.to_k",
                "lora_unet_input_blocks_1_0_in_layers_2", "down_blocks.0.resnets.0.conv1",
                "lora_unet_input_blocks_3_0_op", "down_blocks.0.downsamplers.0.conv",
                "lora_unet_middle_block_0_emb_layers_1", "mid_block.resnets.0.time_emb_proj",
                "lora_unet_middle_block_1_proj_out", "mid_block.attentions.0.proj_out",
                "lora_unet_output_blocks_2_1_conv", "up_blocks.0.upsamplers.0.conv",
                "lora_unet_output_blocks_3_0_skip_connection", "up_blocks.1.resnets.0.conv_shortcut",
                "lora_unet_output_blocks_5_1_transformer_blocks_0_ff_net_2", "up_blocks.1.attentions.2.transformer_blocks.0.ff.net.2",
                "lora_unet_time_embed_0", "time_embedding.linear_1");
        ldm.forEach((name, path) -> assertThat(names.resolve(name)).as(name).contains(unet(path)));
    }

    @Test
    void textEncoderLayersAreFoundWithAndWithoutTextModelAndUnderTe1() {
        ModuleRef q = text("text_model.encoder.layers.2.self_attn.q_proj");
        assertThat(names.resolve("lora_te_text_model_encoder_layers_2_self_attn_q_proj")).contains(q);
        assertThat(names.resolve("lora_te_encoder_layers_2_self_attn_q_proj")).contains(q);
        assertThat(names.resolve("lora_te1_text_model_encoder_layers_2_self_attn_q_proj")).contains(q);
    }

    @Test
    void namesOfOtherModelsAndOfEmbeddingsAreUnknown() {
        assertThat(names.resolve("lora_unet_input_blocks_7_1_proj_in")).isEmpty(); // an SD 1.5 block the tiny UNet lacks
        assertThat(names.resolve("lora_unet_down_blocks_2_attentions_0_proj_in")).isEmpty();
        assertThat(names.resolve("lora_te_text_model_embeddings_token_embedding")).isEqualTo(Optional.empty());
        assertThat(names.resolve("lora_unet_down_blocks_0_resnets_0_norm1")).isEmpty(); // a norm, not a layer
    }

    @Test
    void twoLayersWithOneNameAreRefused() {
        AdaptableModules clash = AdaptableModules.of(Map.of("a.b_c.weight", new long[] {2, 2}, "a_b.c.weight", new long[] {2, 2}), Map.of());
        assertThatThrownBy(() -> KohyaNames.index(clash, UnetKeyMap.of(TINY)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("lora_unet_a_b_c");
    }

    static ModuleRef unet(String path) {
        return new ModuleRef(Component.UNET, path);
    }

    static ModuleRef text(String path) {
        return new ModuleRef(Component.TEXT_ENCODER, path);
    }
}
