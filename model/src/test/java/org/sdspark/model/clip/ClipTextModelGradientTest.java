package org.sdspark.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.GradientCheck;

/**
 * Every parameter gradient of the tiny SD1 and SD2 text encoders in float32, with and without a
 * garbage collection between forward and backward, against the same model in float64.
 */
class ClipTextModelGradientTest {

    @ParameterizedTest(name = "{0}, gc before backward: {2}")
    @CsvSource({
        "tiny-sd/text_encoder, io/text_encoder.safetensors, false",
        "tiny-sd/text_encoder, io/text_encoder.safetensors, true",
        "sd2/text_encoder,     io/text_encoder_sd2.safetensors, true",
    })
    void float32GradientsMatchFloat64(String encoder, String io, boolean gc) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             StateDict data = StateDict.load(m, Fixtures.path(io));
             ClipTextModel model = ClipTextModel.load(m, Fixtures.path(encoder));
             ClipTextModel reference = ClipTextModel.load(m, Fixtures.path(encoder), DataType.FLOAT64)) {
            NDArray ids = data.tensors().get("input_ids");
            m.getEngine().setRandomSeed(7);
            // a random projection: the final layer norm's output has a fixed mean square
            NDArray weights = m.randomNormal(0, 1, new Shape(ids.getShape().get(0), ids.getShape().get(1), 32), DataType.FLOAT64);
            Map<String, NDArray> expected = GradientCheck.gradients(reference.weights().tensors(), () -> loss(reference, ids, weights), false);
            Map<String, NDArray> actual = GradientCheck.gradients(model.weights().tensors(),
                    () -> loss(model, ids, weights.toType(DataType.FLOAT32, false)), gc);
            String name = encoder.split("/")[0] + (gc ? " after gc" : "");
            GradientCheck.assertClose(name, actual, expected);
        }
    }

    private static NDArray loss(ClipTextModel model, NDArray ids, NDArray weights) {
        ClipTextOutput out = model.forward(ids);
        return out.lastHiddenState().mul(weights).mean().add(out.pooledOutput().mul(weights.get(":, 0, :")).mean());
    }
}
