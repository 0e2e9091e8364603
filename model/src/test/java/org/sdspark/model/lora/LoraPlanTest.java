package org.sdspark.model.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.model.checkpoint.UnetKeyMap;
import org.sdspark.model.checkpoint.UnetLayout;
import org.sdspark.model.nn.ModelLoadException;

/** Reading a LoRA file's header against a model: names, shapes, alphas, and what does not fit (pure key logic). */
class LoraPlanTest {
    private static final String Q = "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q";
    private static final String CONV = "down_blocks.0.resnets.0.conv1";
    private static final String PROJ_IN = "down_blocks.0.attentions.0.proj_in";
    private static final AdaptableModules MODULES = AdaptableModules.of(
            Map.of(Q + ".weight", new long[] {16, 16}, CONV + ".weight", new long[] {16, 16, 3, 3},
                    PROJ_IN + ".weight", new long[] {16, 16, 1, 1}, "conv_norm_out.weight", new long[] {16}),
            Map.of("encoder.layers.0.self_attn.q_proj.weight", new long[] {32, 32},
                    "embeddings.token_embedding.weight", new long[] {1514, 32}));
    private static final KohyaNames NAMES = KohyaNames.index(MODULES,
            UnetKeyMap.of(new UnetLayout(List.of(true, false), List.of(false, true), 2)));

    @Test
    void peftKeysWithDiffusersMetadataGiveEachModuleItsAlpha() {
        Map<String, long[]> shapes = shapes(
                "unet." + Q + ".lora_A.weight", new long[] {4, 16}, "unet." + Q + ".lora_B.weight", new long[] {16, 4},
                "unet." + PROJ_IN + ".lora_A.weight", new long[] {2, 16, 1, 1}, "unet." + PROJ_IN + ".lora_B.weight", new long[] {16, 2, 1, 1},
                "text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_A.weight", new long[] {2, 32},
                "text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_B.weight", new long[] {32, 2});
        String metadata = """
                {"unet.r": 4, "unet.lora_alpha": 8, "unet.rank_pattern": {"proj_in": 2}, "unet.alpha_pattern": {"proj_in": 1},
                 "text_encoder.r": 2, "text_encoder.lora_alpha": 3, "text_encoder.use_rslora": true}""";
        LoraPlan plan = LoraPlan.of("f", shapes, Map.of(PeftAdapterConfig.METADATA_KEY, metadata), MODULES, NAMES);
        assertThat(plan.layout()).isEqualTo(LoraLayout.PEFT);
        assertThat(plan.entries()).extracting(LoraPlan.Entry::module, LoraPlan.Entry::rank, LoraPlan.Entry::alpha).containsExactly(
                org.assertj.core.groups.Tuple.tuple(KohyaNamesTest.unet(Q), 4, new LoraPlan.Alpha.Known(8)),
                org.assertj.core.groups.Tuple.tuple(KohyaNamesTest.unet(PROJ_IN), 2, new LoraPlan.Alpha.Known(1)),
                // rsLoRA's scale alpha / sqrt(rank) as an alpha over rank
                org.assertj.core.groups.Tuple.tuple(KohyaNamesTest.text("text_model.encoder.layers.0.self_attn.q_proj"), 2,
                        new LoraPlan.Alpha.Known(3 * Math.sqrt(2))));
    }

    @Test
    void peftKeysWithoutMetadataHaveAlphaEqualToRankAndUnprefixedKeysAreTheUnets() {
        LoraPlan plan = LoraPlan.of("f", shapes(Q + ".lora_A.weight", new long[] {4, 16}, Q + ".lora_B.weight", new long[] {16, 4}),
                Map.of(), MODULES, NAMES);
        assertThat(plan.entries()).singleElement().satisfies(e -> {
            assertThat(e.module()).isEqualTo(KohyaNamesTest.unet(Q));
            assertThat(e.alpha()).isEqualTo(new LoraPlan.Alpha.Known(4));
        });
    }

    @Test
    void kohyaAlphaIsReadFromItsTensorAndIsTheRankWithoutOne() {
        Map<String, long[]> shapes = shapes(
                "lora_unet_input_blocks_1_0_in_layers_2.lora_down.weight", new long[] {3, 16, 3, 3},
                "lora_unet_input_blocks_1_0_in_layers_2.lora_up.weight", new long[] {16, 3, 1, 1},
                "lora_unet_input_blocks_1_0_in_layers_2.alpha", new long[] {},
                "lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight", new long[] {2, 32},
                "lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight", new long[] {32, 2});
        LoraPlan plan = LoraPlan.of("f", shapes, Map.of(), MODULES, NAMES);
        assertThat(plan.layout()).isEqualTo(LoraLayout.KOHYA);
        assertThat(plan.entries()).extracting(LoraPlan.Entry::module, LoraPlan.Entry::alpha).containsExactly(
                org.assertj.core.groups.Tuple.tuple(KohyaNamesTest.unet(CONV),
                        new LoraPlan.Alpha.InTensor("lora_unet_input_blocks_1_0_in_layers_2.alpha")),
                org.assertj.core.groups.Tuple.tuple(KohyaNamesTest.text("text_model.encoder.layers.0.self_attn.q_proj"),
                        new LoraPlan.Alpha.Known(2)));
    }

    @Test
    void everyProblemIsListedInOneErrorNamingFileAndKeys() {
        Map<String, long[]> shapes = shapes(
                "lora_unet_input_blocks_7_1_proj_in.lora_down.weight", new long[] {4, 640, 1, 1},
                "lora_unet_input_blocks_7_1_proj_in.lora_up.weight", new long[] {640, 4, 1, 1},
                "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", new long[] {4, 16, 1, 1},
                "lora_unet_down_blocks_0_resnets_0_conv1.lora_down.weight", new long[] {4, 16, 1, 1},
                "lora_unet_down_blocks_0_resnets_0_conv1.lora_up.weight", new long[] {16, 4, 1, 1},
                "lora_unet_down_blocks_0_resnets_0_conv2.hada_w1_a", new long[] {16, 4},
                "lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight", new long[] {4, 1280},
                "lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight", new long[] {1280, 4});
        assertThatThrownBy(() -> LoraPlan.of("my.safetensors", shapes, Map.of(), MODULES, NAMES))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("my.safetensors (KOHYA layout) does not fit this model")
                .hasMessageContaining("lora_unet_down_blocks_0_attentions_0_proj_in: has no up tensor (.lora_up.weight)")
                .hasMessageContaining("lora_unet_down_blocks_0_resnets_0_conv1: down [4, 16, 1, 1] and up [16, 4, 1, 1] do not fit "
                        + "unet.down_blocks.0.resnets.0.conv1.weight [16, 16, 3, 3]")
                .hasMessageContaining("lora_unet_down_blocks_0_resnets_0_conv2.hada_w1_a: unsupported adapter kind LoHa")
                .hasMessageContaining("lora_te2_text_model_encoder_layers_0_self_attn_q_proj: belongs to a second text encoder")
                .hasMessageContaining("1 module(s) the model does not have")
                .hasMessageContaining("lora_unet_input_blocks_7_1_proj_in");
    }

    @Test
    void peftProblemsNameComponentsDoraAndRankDisagreement() {
        Map<String, long[]> shapes = shapes(
                "unet." + Q + ".lora_A.weight", new long[] {2, 16}, "unet." + Q + ".lora_B.weight", new long[] {16, 2},
                "vae.decoder.conv_in.lora_A.weight", new long[] {2, 16}, "vae.decoder.conv_in.lora_B.weight", new long[] {16, 2},
                "text_encoder_2.encoder.layers.0.self_attn.q_proj.lora_A.weight", new long[] {2, 32},
                "text_encoder_2.encoder.layers.0.self_attn.q_proj.lora_B.weight", new long[] {32, 2});
        assertThatThrownBy(() -> LoraPlan.of("p.safetensors", shapes, Map.of(PeftAdapterConfig.METADATA_KEY, "{\"unet.r\": 4}"), MODULES, NAMES))
                .hasMessageContaining("unet." + Q + ": has rank 2 but lora_adapter_metadata says 4")
                .hasMessageContaining("vae.decoder.conv_in: names no component (expected unet. or text_encoder.)")
                .hasMessageContaining("text_encoder_2.encoder.layers.0.self_attn.q_proj: belongs to a second text encoder");
        Map<String, long[]> dora = shapes("unet." + Q + ".lora_A.weight", new long[] {4, 16}, "unet." + Q + ".lora_B.weight", new long[] {16, 4},
                "unet." + Q + ".lora_magnitude_vector", new long[] {16});
        assertThatThrownBy(() -> LoraPlan.of("d.safetensors", dora, Map.of(), MODULES, NAMES))
                .hasMessageContaining("unet." + Q + ".lora_magnitude_vector: unsupported adapter kind DoRA");
    }

    @Test
    void aFileWithoutLoraTensorsIsNamedForWhatItIs() {
        assertThatThrownBy(() -> LoraPlan.of("emb.safetensors", shapes("emb_params", new long[] {2, 768}), Map.of(), MODULES, NAMES))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("emb.safetensors is not a LoRA file")
                .hasMessageContaining("[emb_params]")
                .hasMessageContaining("textual inversion embedding? use --embedding");
    }

    @Test
    void adaptersFitTheirLayerAsLinearOr1x1Conv() {
        assertThat(LoraPlan.fits(new long[] {4, 16}, new long[] {32, 4}, new long[] {32, 16})).isTrue();
        assertThat(LoraPlan.fits(new long[] {4, 16, 1, 1}, new long[] {32, 4, 1, 1}, new long[] {32, 16})).isTrue();
        assertThat(LoraPlan.fits(new long[] {4, 16}, new long[] {32, 4}, new long[] {32, 16, 1, 1})).isTrue();
        assertThat(LoraPlan.fits(new long[] {4, 16, 3, 3}, new long[] {32, 4, 1, 1}, new long[] {32, 16, 3, 3})).isTrue();
        assertThat(LoraPlan.fits(new long[] {4, 16, 3, 3}, new long[] {32, 4, 3, 3}, new long[] {32, 16, 3, 3})).isFalse();
        assertThat(LoraPlan.fits(new long[] {4, 16}, new long[] {32, 2}, new long[] {32, 16})).isFalse();
        assertThat(LoraPlan.fits(new long[] {4, 16}, new long[] {16, 4}, new long[] {32, 16})).isFalse();
    }

    private static Map<String, long[]> shapes(Object... keyAndShape) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (int i = 0; i < keyAndShape.length; i += 2) {
            shapes.put((String) keyAndShape[i], (long[]) keyAndShape[i + 1]);
        }
        return shapes;
    }
}
