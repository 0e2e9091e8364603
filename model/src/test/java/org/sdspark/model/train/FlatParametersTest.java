package org.sdspark.model.train;

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
import org.sdspark.model.nn.StateDict;

class FlatParametersTest {

    @Test
    void layoutAlignsEveryTensorAndFindsComponentRanges() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("unet.a", new long[] {3, 5});
        shapes.put("unet.b", new long[] {300});
        shapes.put("text_encoder.c", new long[] {2});
        FlatLayout layout = FlatLayout.of(shapes);
        assertThat(layout.entry("unet.a").offset()).isZero();
        assertThat(layout.entry("unet.b").offset()).isEqualTo(256);
        assertThat(layout.entry("text_encoder.c").offset()).isEqualTo(768);
        assertThat(layout.length()).isEqualTo(1024);
        assertThat(layout.parameterCount()).isEqualTo(317);
        assertThat(layout.range("unet.")).containsExactly(0, 768);
        assertThat(layout.range("text_encoder.")).containsExactly(768, 1024);
        assertThat(layout.range("vae.")).isNull();
        assertThatThrownBy(() -> layout.entry("unet.zzz")).hasMessageContaining("unet.zzz");
    }

    @Test
    void gathersGradientsOfOneBackwardAndScattersValuesInTheTensorsOwnType() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("w", m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2)));
            t.put("h", m.create(new float[] {1, 1, 1}).toType(DataType.FLOAT16, false));
            t.put("frozen", m.create(new float[] {5}));
            try (StateDict dict = StateDict.of(m, "test", t)) {
                ParameterTree tree = ParameterTree.of(Map.of("c", dict));
                List<Parameter> trained = tree.select(List.of("c.w", "c.h"));
                tree.freezeAllBut(trained);
                FlatParameters flat = new FlatParameters(trained);
                try (NDManager step = m.newSubManager()) {
                    NDArray w = tree.get("c.w");
                    NDArray h = tree.get("c.h");
                    NDArray loss = Autograd.recording(() -> w.mul(w).sum()
                            .add(h.toType(DataType.FLOAT32, false).sum().mul(tree.get("c.frozen").sum())));
                    Autograd.backward(loss);
                    NDArray grads = flat.gradients(step);
                    assertThat(grads.getShape()).isEqualTo(new Shape(512));
                    assertThat(flat.slice(grads, "c.w").toFloatArray()).containsExactly(2, 4, 6, 8);
                    assertThat(grads.get("4:256").sum().getFloat()).isZero();
                    assertThat(tree.get("c.frozen").hasGradient()).isFalse();

                    NDArray values = flat.values(step);
                    values.muli(2);
                    flat.assign(values);
                    assertThat(w.toFloatArray()).containsExactly(2, 4, 6, 8);
                    assertThat(h.getDataType()).isEqualTo(DataType.FLOAT16);
                    assertThat(h.toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(2, 2, 2);
                    flat.zeroGradients();
                    assertThat(flat.gradients(step).abs().sum().getFloat()).isZero();
                }
            }
        }
    }

    @Test
    void aPatternThatSelectsNothingIsAnError() {
        try (NDManager m = NDManager.newBaseManager();
             StateDict dict = StateDict.of(m, "test", new LinkedHashMap<>(Map.of("conv.weight", m.zeros(new Shape(1)))))) {
            ParameterTree tree = ParameterTree.of(Map.of("unet", dict));
            assertThatThrownBy(() -> tree.select(List.of("unet.*to_q*")))
                    .hasMessageContaining("unet.*to_q*").hasMessageContaining("unet.conv.weight");
        }
    }
}
