package org.sdspark.model.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Parity;

/** A randomly initialised tiny UNet: shapes, key names, verification, precision, scoping. */
class UNetModelTest {

    static UNetConfig tiny(boolean linearProjection) {
        return new UNetConfig(4, 4, List.of(32, 64), List.of(1, 2),
                List.of(UNetConfig.CROSS_ATTN_DOWN_BLOCK, UNetConfig.DOWN_BLOCK),
                List.of(UNetConfig.UP_BLOCK, UNetConfig.CROSS_ATTN_UP_BLOCK), UNetConfig.MID_BLOCK, 24,
                List.of(2, 4), List.of(1, 1), linearProjection, false, 8, 1e-5f, true, 0, "silu", 1, 1.0, null, null);
    }

    @Test
    void predictsNoiseOfTheSampleShapeAtAnySizeIncludingOddOnes() {
        try (NDManager m = NDManager.newBaseManager(); UNet2DConditionModel unet = UNet2DConditionModel.random(m, tiny(false))) {
            for (Shape shape : List.of(new Shape(2, 4, 8, 8), new Shape(1, 4, 5, 7))) {
                long b = shape.get(0);
                NDArray out = unet.forward(m.randomNormal(shape), m.create(new long[] {10, 500}).get("0:" + b),
                        m.randomNormal(new Shape(b, 7, 24)));
                assertThat(out.getShape()).isEqualTo(shape);
                assertThat(out.isInfinite().any().getBoolean() || out.isNaN().any().getBoolean()).isFalse();
            }
        }
    }

    @Test
    void parametersCarryDiffusersKeysAndTheirShapes() {
        try (NDManager m = NDManager.newBaseManager()) {
            try (UNet2DConditionModel conv = UNet2DConditionModel.random(m, tiny(false));
                 UNet2DConditionModel linear = UNet2DConditionModel.random(m, tiny(true))) {
                Map<String, NDArray> p = conv.parameters();
                assertThat(p.keySet()).contains(
                        "conv_in.weight", "time_embedding.linear_1.weight", "time_embedding.linear_2.bias",
                        "down_blocks.0.resnets.0.time_emb_proj.weight", "down_blocks.0.downsamplers.0.conv.weight",
                        "down_blocks.1.resnets.0.conv_shortcut.weight",
                        "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                        "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight",
                        "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2.weight",
                        "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0.bias",
                        "mid_block.resnets.1.norm2.weight", "mid_block.attentions.0.proj_in.weight",
                        "up_blocks.0.upsamplers.0.conv.weight", "up_blocks.1.attentions.1.norm.weight",
                        "up_blocks.1.resnets.0.conv_shortcut.weight", "conv_norm_out.weight", "conv_out.bias");
                assertThat(p.keySet()).doesNotContain("down_blocks.1.downsamplers.0.conv.weight", "up_blocks.1.upsamplers.0.conv.weight",
                        "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.bias",
                        "up_blocks.1.resnets.2.conv1.weight", "up_blocks.1.attentions.2.norm.weight");
                // cross-attention keys read the text width; up resnets take the previous output plus a skip
                assertThat(p.get("down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight").getShape()).isEqualTo(new Shape(32, 24));
                assertThat(p.get("up_blocks.1.resnets.0.conv1.weight").getShape()).isEqualTo(new Shape(32, 96, 3, 3));
                assertThat(p.get("up_blocks.1.resnets.1.conv1.weight").getShape()).isEqualTo(new Shape(32, 64, 3, 3));
                assertThat(p.get("up_blocks.0.resnets.2.conv1.weight").getShape()).isEqualTo(new Shape(64, 96, 3, 3));
                assertThat(p.get("mid_block.attentions.0.proj_in.weight").getShape()).isEqualTo(new Shape(64, 64, 1, 1));
                assertThat(linear.parameters().get("mid_block.attentions.0.proj_in.weight").getShape()).isEqualTo(new Shape(64, 64));
                // the exact key set is checked against diffusers' own files by the parity tests
                assertThat(linear.parameters().keySet()).isEqualTo(p.keySet());
            }
        }
    }

    @Test
    void aCheckpointWithAMissingAndAMisshapedKeyFailsListingBoth() {
        try (NDManager m = NDManager.newBaseManager(); UNet2DConditionModel fresh = UNet2DConditionModel.random(m, tiny(false))) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            fresh.parameters().forEach((k, v) -> tensors.put(k, v.duplicate()));
            tensors.remove("down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight");
            tensors.put("mid_block.resnets.0.conv1.weight", m.zeros(new Shape(64, 64, 1, 1)));
            tensors.put("up_blocks.9.extra.weight", m.zeros(new Shape(3)));
            try (StateDict broken = StateDict.of(m, "broken.safetensors", tensors)) {
                assertThatThrownBy(() -> UNet2DConditionModel.from(tiny(false), broken))
                        .isInstanceOf(ModelLoadException.class)
                        .hasMessageContaining("unet")
                        .hasMessageContaining("broken.safetensors")
                        .hasMessageContaining("missing down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight (32, 24)")
                        .hasMessageContaining("mid_block.resnets.0.conv1.weight has shape (64, 64, 1, 1), the config expects (64, 64, 3, 3)")
                        .hasMessageContaining("unexpected up_blocks.9.extra.weight");
            }
        }
    }

    @Test
    void float16AgreesWithFloat32AndForwardLeavesNothingBehind() {
        try (NDManager m = NDManager.newBaseManager(); UNet2DConditionModel unet = UNet2DConditionModel.random(m, tiny(true))) {
            NDArray sample = m.randomNormal(new Shape(1, 4, 8, 8));
            NDArray t = m.create(400L);
            NDArray text = m.randomNormal(new Shape(1, 7, 24));
            int before = m.getManagedArrays().size();
            NDArray full = unet.forward(sample, t, text);
            assertThat(m.getManagedArrays()).hasSize(before + 1);
            try (UNet2DConditionModel half = unet.toType(DataType.FLOAT16)) {
                NDArray out = half.forward(sample, t, text);
                assertThat(out.getDataType()).isEqualTo(DataType.FLOAT16);
                assertThat(Parity.relativeError(out, full)).isLessThan(1e-2);
            }
        }
    }

    @Test
    void float16TrainingGradientsAgreeWithFloat32() {
        String[] probes = {"conv_in.weight", "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight",
            "mid_block.resnets.0.norm1.weight", "up_blocks.1.attentions.1.proj_out.weight"};
        try (NDManager m = NDManager.newBaseManager(); UNet2DConditionModel unet = UNet2DConditionModel.random(m, tiny(false));
             UNet2DConditionModel half = unet.toType(DataType.FLOAT16)) {
            NDArray sample = m.randomNormal(new Shape(2, 4, 8, 8));
            NDArray t = m.create(new long[] {20, 700});
            NDArray text = m.randomNormal(new Shape(2, 7, 24));
            NDArray target = m.randomNormal(new Shape(2, 4, 8, 8));
            for (UNet2DConditionModel model : List.of(unet, half)) {
                model.parameters().values().forEach(p -> p.setRequiresGradient(true));
                try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    NDArray out = model.forward(sample, t, text);
                    // scaled as mixed-precision training scales it, or small float16 gradients underflow
                    collector.backward(out.sub(target.toType(model.dataType(), false)).square().mean().mul(1024));
                }
            }
            for (String name : probes) {
                NDArray halfGrad = half.parameters().get(name).getGradient();
                assertThat(halfGrad.getDataType()).isEqualTo(DataType.FLOAT16);
                assertThat(Parity.relativeError(halfGrad, unet.parameters().get(name).getGradient())).as(name).isLessThan(2e-2);
            }
        }
    }
}
