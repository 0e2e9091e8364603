package org.sdspark.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.io.TensorInfo;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.unet.UNetConfig;
import org.sdspark.model.vae.VaeConfig;

/** The key maps against the file diffusers' own conversion script made from the tiny pipeline. */
class KeyMapFixtureTest {
    @Test
    void unetKeysAndShapesMatchTheConvertedFile() throws IOException {
        UnetLayout layout = UnetLayout.of(UNetConfig.read(Fixtures.path("tiny-sd/unet/config.json")));
        Map<String, long[]> diffusers = shapes(Fixtures.path("tiny-sd/unet/diffusion_pytorch_model.safetensors"));
        assertThat(DiffusersKeyNames.unet(List.of(16, 32), layout.downAttention(), layout.upAttention(), 2))
                .containsExactlyInAnyOrderElementsOf(diffusers.keySet());
        assertMatches(UnetKeyMap.of(layout), diffusers, "model.diffusion_model.");
    }

    @Test
    void vaeKeysAndShapesMatchTheConvertedFile() throws IOException {
        VaeLayout layout = VaeLayout.of(VaeConfig.read(Fixtures.path("tiny-sd/vae/config.json")));
        Map<String, long[]> diffusers = shapes(Fixtures.path("tiny-sd/vae/diffusion_pytorch_model.safetensors"));
        assertThat(DiffusersKeyNames.vae(List.of(16, 16, 32, 32), 1)).containsExactlyInAnyOrderElementsOf(diffusers.keySet());
        assertMatches(VaeKeyMap.of(layout), diffusers, "first_stage_model.");
    }

    @Test
    void textEncoderKeysMatchTheConvertedFile() throws IOException {
        Map<String, long[]> diffusers = shapes(Fixtures.path("tiny-sd/text_encoder/model.safetensors"));
        assertThat(DiffusersKeyNames.clipText(3)).containsExactlyInAnyOrderElementsOf(diffusers.keySet());
        assertMatches(TextEncoderKeyMap.clip(), diffusers, "cond_stage_model.transformer.");
    }

    private static void assertMatches(KeyMap map, Map<String, long[]> diffusers, String prefix) throws IOException {
        Map<String, long[]> original = shapes(Fixtures.path("tiny-sd.safetensors")).entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .collect(Collectors.toMap(e -> e.getKey().substring(prefix.length()), Map.Entry::getValue,
                        (a, b) -> a, LinkedHashMap::new));
        List<Correspondence> forward = map.fromDiffusers(diffusers.keySet());
        Map<String, List<Long>> expected = new LinkedHashMap<>();
        for (Correspondence c : forward) {
            List<Long> shape = new ArrayList<>(Arrays.stream(diffusers.get(c.diffusers().get(0))).boxed().toList());
            if (c instanceof Correspondence.LinearAsConv) {
                shape.addAll(List.of(1L, 1L));
            }
            expected.put(c.original(), shape);
        }
        Map<String, List<Long>> actual = new LinkedHashMap<>();
        original.forEach((k, v) -> actual.put(k, Arrays.stream(v).boxed().toList()));
        assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(map.fromOriginal(original.keySet())).containsExactlyInAnyOrderElementsOf(forward);
    }

    private static Map<String, long[]> shapes(Path file) throws IOException {
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            Map<String, long[]> out = new LinkedHashMap<>();
            for (TensorInfo info : st.tensors().values()) {
                out.put(info.name(), info.shape());
            }
            return out;
        }
    }
}
