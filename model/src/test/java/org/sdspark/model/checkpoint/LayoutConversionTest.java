package org.sdspark.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayoutConversionTest {

    @Test
    void vaeAttentionBecomesConvAndBackBitExactly() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<String> keys = DiffusersKeyNames.vae(List.of(4, 8), 1);
            Map<String, NDArray> diffusers = randomTensors(m, keys);
            List<Correspondence> map = VaeKeyMap.of(new VaeLayout(2, 1)).fromDiffusers(keys);
            Map<String, NDArray> original = LayoutConversion.toOriginal(map, diffusers);
            assertThat(original.get("encoder.mid.attn_1.q.weight").getShape()).isEqualTo(new Shape(6, 6, 1, 1));
            assertThat(original.get("encoder.mid.attn_1.q.bias").getShape()).isEqualTo(new Shape(6));
            Map<String, NDArray> back = LayoutConversion.toDiffusers(VaeKeyMap.of(new VaeLayout(2, 1))
                    .fromOriginal(original.keySet()), original);
            assertSameTensors(back, diffusers);
        }
    }

    @Test
    void openClipProjectionsFuseInQkvOrderAndSplitBack() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<String> keys = DiffusersKeyNames.clipText(2);
            Map<String, NDArray> diffusers = randomTensors(m, keys);
            KeyMap map = TextEncoderKeyMap.openClip(2);
            Map<String, NDArray> original = LayoutConversion.toOriginal(map.fromDiffusers(keys), diffusers);
            NDArray fused = original.get("transformer.resblocks.1.attn.in_proj_weight");
            assertThat(fused.getShape()).isEqualTo(new Shape(18, 6));
            assertThat(fused.get("6:12").contentEquals(diffusers.get("text_model.encoder.layers.1.self_attn.k_proj.weight"))).isTrue();
            assertThat(original.get("transformer.resblocks.0.attn.in_proj_bias").getShape()).isEqualTo(new Shape(18));
            assertSameTensors(LayoutConversion.toDiffusers(map.fromOriginal(original.keySet()), original), diffusers);
        }
    }

    @Test
    void fusedTensorThatDoesNotSplitNamesItsKey() {
        try (NDManager m = NDManager.newBaseManager()) {
            KeyMap map = TextEncoderKeyMap.openClip(1);
            Map<String, NDArray> original = Map.of("transformer.resblocks.0.attn.in_proj_bias", m.zeros(new Shape(10)));
            assertThatThrownBy(() -> LayoutConversion.toDiffusers(map.fromOriginal(original.keySet()), original))
                    .hasMessageContaining("transformer.resblocks.0.attn.in_proj_bias").hasMessageContaining("(10)");
        }
    }

    // Square 6x6 weights stand in for every parameter: the conversion only renames, reshapes and splits.
    private static Map<String, NDArray> randomTensors(NDManager m, List<String> keys) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String k : keys) {
            out.put(k, k.endsWith("weight") ? m.randomNormal(new Shape(6, 6)) : m.randomNormal(new Shape(6)));
        }
        return out;
    }

    private static void assertSameTensors(Map<String, NDArray> actual, Map<String, NDArray> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((k, v) -> assertThat(actual.get(k).contentEquals(v)).as(k).isTrue());
    }
}
