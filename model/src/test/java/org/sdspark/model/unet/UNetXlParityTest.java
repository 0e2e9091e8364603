package org.sdspark.model.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/**
 * The tiny SDXL UNet (text_time added conditioning, no attention in the first level, transformer
 * depth 1/1/2 mirrored on the way up) against diffusers, float64 references in io/unet_sdxl.safetensors.
 */
class UNetXlParityTest {

    @Test
    void matchesDiffusersWithAddedConditions() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = UNet2DConditionModel.load(m, Fixtures.path("tiny-sdxl/unet"));
             StateDict data = StateDict.load(m, Fixtures.path("io/unet_sdxl.safetensors"))) {
            Map<String, NDArray> t = data.tensors();
            assertThat(unet.config().textTime()).isEqualTo(new TextTimeConfig(8, 88));
            assertThat(unet.config().transformerLayersPerBlock()).containsExactly(1, 1, 2);
            for (String suffix : new String[] {"", "_odd"}) {
                NDArray out = unet.forward(t.get("sample" + suffix), t.get("timestep" + suffix),
                        t.get("encoder_hidden_states" + suffix),
                        new AddedConditions(t.get("text_embeds" + suffix), t.get("time_ids" + suffix)));
                Parity.assertClose("unet sdxl out" + suffix, out, t.get("out" + suffix));
            }
        }
    }

    @Test
    void addedConditionsAreRequiredExactlyWhenTheConfigHasThem() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel xl = UNet2DConditionModel.load(m, Fixtures.path("tiny-sdxl/unet"));
             UNet2DConditionModel sd = UNet2DConditionModel.load(m, Fixtures.path("tiny-sd/unet"));
             StateDict data = StateDict.load(m, Fixtures.path("io/unet_sdxl.safetensors"))) {
            Map<String, NDArray> t = data.tensors();
            assertThatThrownBy(() -> xl.forward(t.get("sample"), t.get("timestep"), t.get("encoder_hidden_states")))
                    .hasMessageContaining("text_time needs the added conditions");
            AddedConditions added = new AddedConditions(t.get("text_embeds"), t.get("time_ids"));
            assertThatThrownBy(() -> sd.forward(t.get("sample"), t.get("timestep"), m.zeros(new ai.djl.ndarray.types.Shape(2, 77, 32)),
                    added)).hasMessageContaining("takes no added conditions");
            AddedConditions fiveIds = new AddedConditions(t.get("text_embeds"), t.get("time_ids").get(":, :5"));
            assertThatThrownBy(() -> xl.forward(t.get("sample"), t.get("timestep"), t.get("encoder_hidden_states"), fiveIds))
                    .hasMessageContaining("added embedding of width 88");
            assertThat(List.of(xl.parameters().keySet().stream().filter(k -> k.startsWith("add_embedding.")).sorted().toArray()))
                    .containsExactly("add_embedding.linear_1.bias", "add_embedding.linear_1.weight",
                            "add_embedding.linear_2.bias", "add_embedding.linear_2.weight");
        }
    }
}
