package org.sdspark.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** The key maps against the file diffusers' own conversion script made from the tiny pipeline. */
class KeyMapFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void unetKeysAndShapesMatchTheConvertedFile() throws IOException {
        JsonNode config = JSON.readTree(Fixtures.path("tiny-sd/unet/config.json").toFile());
        UnetLayout layout = UnetLayout.fromBlockTypes(strings(config.get("down_block_types")),
                strings(config.get("up_block_types")), java.util.Collections.nCopies(2, config.get("layers_per_block").asInt()));
        Map<String, long[]> diffusers = shapes(Fixtures.path("tiny-sd/unet/diffusion_pytorch_model.safetensors"));
        assertThat(DiffusersKeyNames.unet(List.of(16, 32), layout.downAttention(), layout.upAttention(), 2))
                .containsExactlyInAnyOrderElementsOf(diffusers.keySet());
        assertMatches(UnetKeyMap.of(layout), diffusers, "model.diffusion_model.");
    }

    @Test
    void vaeKeysAndShapesMatchTheConvertedFile() throws IOException {
        JsonNode config = JSON.readTree(Fixtures.path("tiny-sd/vae/config.json").toFile());
        VaeLayout layout = new VaeLayout(config.get("block_out_channels").size(), config.get("layers_per_block").asInt());
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

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
