package org.sdspark.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayersTest {

    @Test
    void groupNormMatchesTheDefinitionComputedByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            // N=1, C=4, H=W=1, 2 groups: channels {1,3} and {2,6}
            NDArray x = m.create(new float[] {1, 3, 2, 6}, new Shape(1, 4, 1, 1));
            NDArray gamma = m.create(new float[] {1, 2, 1, 1});
            NDArray beta = m.create(new float[] {0, 0, 0, 1});
            NDArray y = new GroupNorm(2, 0f, gamma, beta).forward(x);
            // group 0: mean 2, var 1 -> (-1, 1); group 1: mean 4, var 4 -> (-1, 1)
            assertThat(y.toFloatArray()).containsExactly(new float[] {-1, 2, -1, 2}, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void attentionWithOneKeyReturnsItsValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.randomNormal(new Shape(2, 3, 5, 4));
            NDArray k = m.randomNormal(new Shape(2, 3, 1, 4));
            NDArray v = m.randomNormal(new Shape(2, 3, 1, 4));
            NDArray out = AttentionOps.scaledDotProduct(q, k, v, false, false);
            assertThat(out.getShape()).isEqualTo(new Shape(2, 3, 5, 4));
            assertThat(out.sub(v.broadcast(new Shape(2, 3, 5, 4))).abs().max().getFloat()).isLessThan(1e-6f);
            NDArray merged = AttentionOps.mergeHeads(AttentionOps.splitHeads(m.randomNormal(new Shape(2, 5, 12)), 3));
            assertThat(merged.getShape()).isEqualTo(new Shape(2, 5, 12));
        }
    }

    @Test
    void verifyListsMissingMismatchedAndUnexpectedKeysTogether() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("proj.weight", m.zeros(new Shape(4, 3)));
            t.put("proj.bias", m.zeros(new Shape(5)));
            t.put("extra.weight", m.zeros(new Shape(2)));
            try (StateDict sd = StateDict.of(m, "demo.safetensors", t)) {
                Linear.load(sd.root().at("proj"), 3, 4);
                Conv2d.load(sd.root().at("conv"), 3, 8, 3, 1, 1);
                assertThatThrownBy(() -> sd.verify("unet"))
                        .isInstanceOf(ModelLoadException.class)
                        .hasMessageContaining("unet")
                        .hasMessageContaining("demo.safetensors")
                        .hasMessageContaining("proj.bias has shape (5), the config expects (4)")
                        .hasMessageContaining("missing conv.weight (8, 3, 3, 3)")
                        .hasMessageContaining("unexpected extra.weight");
            }
        }
    }

    @Test
    void toTypeCopiesEvenWhereTheTypeAlreadyMatches() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("w", m.zeros(new Shape(2)));
            try (StateDict original = StateDict.of(m, "demo", t); StateDict copy = original.toType(DataType.FLOAT32)) {
                copy.tensors().get("w").addi(m.ones(new Shape(2)));
                assertThat(original.tensors().get("w").toFloatArray()).containsExactly(0f, 0f);
            }
        }
    }

    @Test
    void linearAndConvFollowTorchLayouts() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            NDArray b = m.create(new float[] {10, 20});
            NDArray y = new Linear(w, b).forward(m.create(new float[] {1, 1, 1}, new Shape(1, 1, 3)));
            assertThat(y.toFloatArray()).containsExactly(16f, 35f);
            // 1x1 kernel summing two channels, stride 2 keeps every other pixel
            NDArray kernel = m.ones(new Shape(1, 2, 1, 1));
            NDArray x = m.arange(0f, 32f).reshape(1, 2, 4, 4);
            NDArray conv = new Conv2d(kernel, m.zeros(new Shape(1)), 2, 0).forward(x);
            assertThat(conv.getShape()).isEqualTo(new Shape(1, 1, 2, 2));
            assertThat(conv.toFloatArray()).containsExactly(16f, 20f, 32f, 36f);
        }
    }

    @Test
    void groupNormInHalfPrecisionAgreesWithFloat32AndLeavesNothingBehindInTheWeightsManager() {
        DataType half = DataType.FLOAT16;
        try (NDManager weights = NDManager.newBaseManager()) {
            GroupNorm norm = new GroupNorm(2, 1e-5f, weights.randomNormal(new Shape(4)), weights.randomNormal(new Shape(4)));
            GroupNorm halfNorm = new GroupNorm(2, 1e-5f, norm.weight().toType(half, false), norm.bias().toType(half, false));
            int before = weights.getManagedArrays().size();
            try (NDManager scope = weights.newSubManager()) {
                // large activations: their float16 squares overflow unless normalised in float32
                NDArray x = scope.randomNormal(new Shape(2, 4, 8, 8)).mul(400).add(300);
                NDArray full = norm.forward(x);
                NDArray halved = halfNorm.forward(x.toType(half, false));
                assertThat(halved.getDataType()).isEqualTo(half);
                assertThat(halved.toType(DataType.FLOAT32, false).sub(full).abs().max().getFloat()).isLessThan(1e-2f);
            }
            assertThat(weights.getManagedArrays()).hasSize(before);
        }
    }

    @Test
    void aRandomDictCreatesEachTensorOnItsFirstLookupWithTorchDefaultScales() {
        try (NDManager m = NDManager.newBaseManager(); StateDict sd = StateDict.random(m, "fresh")) {
            Linear linear = Linear.load(sd.root().at("proj"), 100, 3);
            LayerNorm norm = LayerNorm.load(sd.root().at("norm"), 3, 1e-5f);
            assertThat(sd.tensors().keySet()).containsExactly("proj.weight", "proj.bias", "norm.weight", "norm.bias");
            assertThat(linear.weight().abs().max().getFloat()).isLessThanOrEqualTo(0.1f).isGreaterThan(0.05f);
            assertThat(norm.weight().toFloatArray()).containsOnly(1f);
            assertThat(linear.bias().toFloatArray()).containsOnly(0f);
            sd.verify("demo");
        }
    }
}
