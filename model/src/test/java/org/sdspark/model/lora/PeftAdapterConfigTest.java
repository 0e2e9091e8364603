package org.sdspark.model.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PEFT's LoraConfig fields as diffusers stores them per component (pure). */
class PeftAdapterConfigTest {

    @Test
    void patternsMatchAsPeftsGetPatternKeyFirstInFileOrder() {
        PeftAdapterConfig config = PeftAdapterConfig.read(Map.of(PeftAdapterConfig.METADATA_KEY, """
                {"unet.r": 8, "unet.lora_alpha": 16,
                 "unet.rank_pattern": {"attn2.to_q": 2, "to_q": 4},
                 "unet.alpha_pattern": {"down_blocks.0.*proj_in": 1, "proj_in": 3}}"""), Component.UNET, "f").orElseThrow();
        assertThat(config.rank("up_blocks.1.attentions.0.transformer_blocks.0.attn2.to_q")).isEqualTo(2);
        assertThat(config.rank("up_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q")).isEqualTo(4);
        assertThat(config.rank("up_blocks.1.attentions.0.transformer_blocks.0.attn1.to_k")).isEqualTo(8);
        // the pattern must end at a module boundary: "to_q" is no pattern of "xto_q"
        assertThat(config.rank("a.xto_q")).isEqualTo(8);
        assertThat(config.effectiveAlpha("down_blocks.0.attentions.0.proj_in", 8)).isEqualTo(1);
        assertThat(config.effectiveAlpha("mid_block.attentions.0.proj_in", 8)).isEqualTo(3);
        assertThat(config.effectiveAlpha("mid_block.attentions.0.proj_out", 8)).isEqualTo(16);
    }

    @Test
    void componentsReadOnlyTheirOwnFieldsAndDefaultsAreLoraConfigs() {
        Map<String, String> metadata = Map.of(PeftAdapterConfig.METADATA_KEY, "{\"unet.r\": 4}", "format", "pt");
        assertThat(PeftAdapterConfig.read(metadata, Component.TEXT_ENCODER, "f")).isEmpty();
        PeftAdapterConfig unet = PeftAdapterConfig.read(metadata, Component.UNET, "f").orElseThrow();
        assertThat(unet.r()).isEqualTo(4);
        assertThat(unet.loraAlpha()).isEqualTo(8);
        assertThat(PeftAdapterConfig.read(Map.of(), Component.UNET, "f")).isEmpty();
        assertThatThrownBy(() -> PeftAdapterConfig.read(Map.of(PeftAdapterConfig.METADATA_KEY, "{nope"), Component.UNET, "x.safetensors"))
                .hasMessageContaining("x.safetensors: lora_adapter_metadata is not JSON");
    }

    @Test
    void describingModulesWritesTheCommonRankAndAlphaAndTheRestAsPatterns() {
        Map<String, Integer> ranks = new LinkedHashMap<>(Map.of("a.to_q", 4, "a.to_k", 4, "b.conv1", 3));
        Map<String, Double> alphas = new LinkedHashMap<>(Map.of("a.to_q", 8.0, "a.to_k", 4.0, "b.conv1", 8.0));
        PeftAdapterConfig config = PeftAdapterConfig.describing(ranks, alphas);
        assertThat(config.r()).isEqualTo(4);
        assertThat(config.loraAlpha()).isEqualTo(8);
        assertThat(config.rankPattern()).containsExactly(Map.entry("b.conv1", 3));
        assertThat(config.alphaPattern()).containsExactly(Map.entry("a.to_k", 4.0));
        ObjectNode json = new ObjectMapper().createObjectNode();
        config.putInto(json, Component.UNET, List.of("a.to_k", "a.to_q", "b.conv1"));
        PeftAdapterConfig back = PeftAdapterConfig.read(Map.of(PeftAdapterConfig.METADATA_KEY, json.toString()), Component.UNET, "f").orElseThrow();
        ranks.forEach((path, rank) -> {
            assertThat(back.rank(path)).isEqualTo(rank);
            assertThat(back.effectiveAlpha(path, rank)).isEqualTo(alphas.get(path));
        });
        assertThat(json.get("unet.target_modules").toString()).isEqualTo("[\"a.to_k\",\"a.to_q\",\"b.conv1\"]");
    }
}
