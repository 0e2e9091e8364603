package org.sdspark.model.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdspark.model.testing.Parity;

/** Merging is the adapter's forward folded into the weight. */
class LoraMergeTest {
    private static final ModuleRef CONV = new ModuleRef(Component.UNET, "down_blocks.0.downsamplers.0.conv");
    private static final ModuleRef LINEAR = new ModuleRef(Component.UNET, "mid_block.attentions.0.proj_out");

    @Test
    void aMergedConvAdapterIsItsDownConvThen1x1UpConvScaled() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray weight = m.randomNormal(new Shape(8, 6, 3, 3));
            NDArray down = m.randomNormal(new Shape(2, 6, 3, 3));
            NDArray up = m.randomNormal(new Shape(8, 2, 1, 1));
            NDArray x = m.randomNormal(new Shape(1, 6, 9, 7));
            // a strided, padded conv as a downsampler is: the adapter's down conv takes the layer's stride and padding
            NDArray expected = conv(x, weight, 2, 1).add(conv(conv(x, down, 2, 1), up, 1, 0).mul(0.5 * 3 / 2));
            NDArray merged = weight.duplicate();
            LoraMerge.merge(new LoraWeights(List.of(new LoraModule(CONV, down, up, 3))), 0.5, module -> merged);
            Parity.assertClose("merged conv adapter", conv(x, merged, 2, 1), expected);
        }
    }

    @Test
    void aLinearAdapterMergesInPlaceInTheWeightsTypeFromA1x1ConvShapedFile() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(4);
            NDArray weight = m.randomNormal(new Shape(5, 4));
            NDArray down = m.randomNormal(new Shape(2, 4, 1, 1));
            NDArray up = m.randomNormal(new Shape(5, 2, 1, 1));
            NDArray expected = weight.add(up.reshape(5, 2).matMul(down.reshape(2, 4)).mul(1.5 * 4 / 2));
            NDArray half = weight.toType(DataType.FLOAT16, true);
            LoraMerge.merge(new LoraWeights(List.of(new LoraModule(LINEAR, down, up, 4))), 1.5, module -> half);
            assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(Parity.relativeError(half, expected)).isLessThan(1e-3);
            LoraMerge.merge(new LoraWeights(List.of(new LoraModule(LINEAR, down, up, 4))), 1.5, module -> weight);
            Parity.assertClose("merged linear adapter", weight, expected);
        }
    }

    private static NDArray conv(NDArray x, NDArray w, int stride, int pad) {
        return Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1), 1).singletonOrThrow();
    }
}
