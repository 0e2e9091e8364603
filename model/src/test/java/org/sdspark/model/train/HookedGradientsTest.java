package org.sdspark.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.TorchExtension;

/**
 * The torch extension's gradient hooks and flat assignment against the engine-call paths they
 * replace (FlatParameters.copyGradients and the per-tensor assign), on DJL's default device, in
 * float32 and, on a GPU, float16. Runs where the extension is loaded; CPU builds without it skip.
 */
class HookedGradientsTest {

    @BeforeAll
    static void needsTheExtension() {
        assumeTrue(TorchExtension.isLoaded(), "torch extension not loaded (" + TorchExtension.PATH_PROPERTY + ")");
    }

    private static List<DataType> types() {
        return Engine.getInstance().defaultDevice().isGpu() ? List.of(DataType.FLOAT32, DataType.FLOAT16) : List.of(DataType.FLOAT32);
    }

    @Test
    void hooksFillTheFlatBufferAsTheGatherAfterBackwardDoes() {
        for (DataType type : types()) {
            try (NDManager m = NDManager.newBaseManager(Engine.getInstance().defaultDevice())) {
                NDArray w = m.randomNormal(new Shape(300, 70)).toType(type, false);
                NDArray b = m.randomNormal(new Shape(70)).toType(type, false);
                NDArray unused = m.randomNormal(new Shape(5, 3)).toType(type, false);
                List<Parameter> list = List.of(new Parameter("w", w), new Parameter("b", b), new Parameter("unused", unused));
                list.forEach(p -> p.tensor().setRequiresGradient(true));
                FlatParameters flat = new FlatParameters(list);
                // small inputs: the float16 squares must not overflow
                NDArray x1 = m.randomNormal(0, 0.05f, new Shape(8, 300), DataType.FLOAT32).toType(type, false);
                NDArray x2 = m.randomNormal(0, 0.05f, new Shape(8, 300), DataType.FLOAT32).toType(type, false);

                // reference: two accumulated micro-batches gathered after backward
                NDArray expected = m.zeros(new Shape(flat.layout().length()));
                backward(x1, w, b);
                backward(x2, w, b);
                flat.copyGradients(expected);
                flat.zeroGradients();

                NDArray hooked = m.ones(new Shape(flat.layout().length()));
                try (GradientReducer reducer = Collective.single().gradientReducer(flat, hooked)) {
                    assertThat(reducer).isInstanceOf(HookedGradients.class);
                    for (int step = 0; step < 2; step++) { // the second step must not add to the first
                        reducer.beforeBackward(false);
                        backward(x1, w, b);
                        reducer.beforeBackward(true);
                        backward(x2, w, b);
                        reducer.finish();
                        for (Parameter p : list) {
                            double error = relativeError(flat.slice(hooked, p.key()), flat.slice(expected, p.key()));
                            System.out.printf("hooked gradients %s %-7s step %d rel.err %.2e%n", type, p.key(), step, error);
                            assertThat(error).as(p.key() + " " + type).isLessThan(type == DataType.FLOAT16 ? 2e-3 : 1e-6);
                        }
                        assertThat(flat.slice(hooked, "unused").abs().max().getFloat()).isZero();
                    }
                }

                NDArray master = m.randomNormal(new Shape(flat.layout().length()));
                flat.assign(master);
                for (Parameter p : list) {
                    NDArray want = flat.slice(master, p.key()).toType(type, false);
                    assertThat(p.tensor().toType(DataType.FLOAT32, false).sub(want.toType(DataType.FLOAT32, false)).abs().max().getFloat())
                            .as("assigned " + p.key()).isZero();
                }
            }
        }
    }

    private static void backward(NDArray x, NDArray w, NDArray b) {
        NDArray loss = Autograd.recording(() -> x.matMul(w).add(b).square().mean());
        Autograd.backward(loss);
    }

    private static double relativeError(NDArray actual, NDArray expected) {
        return actual.sub(expected).norm().getFloat() / Math.max(expected.norm().getFloat(), 1e-30);
    }
}
