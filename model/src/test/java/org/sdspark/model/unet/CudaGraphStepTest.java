package org.sdspark.model.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.CudaGraphStep;
import org.sdspark.model.testing.Parity;

/**
 * A UNet's forward and backward recorded as a CUDA graph against the same step run eagerly: equal
 * gradients, accumulation across replays, new random draws on every replay. Runs on the GPU host
 * with the torch extension; elsewhere skipped.
 */
class CudaGraphStepTest {

    @BeforeAll
    static void needsCudaGraphs() {
        assumeTrue(CudaGraphStep.available(device()), "no GPU, or the torch extension has no CUDA graphs");
    }

    private static Device device() {
        return Engine.getInstance().defaultDevice();
    }

    @Test
    void replaysGiveTheEagerGradientsAndAccumulate() {
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
            try (NDManager m = NDManager.newBaseManager(device());
                 UNet2DConditionModel fresh = UNet2DConditionModel.random(m, UNetModelTest.tiny(false));
                 UNet2DConditionModel unet = fresh.toType(type)) {
                List<NDArray> parameters = new ArrayList<>(unet.parameters().values());
                parameters.forEach(p -> p.setRequiresGradient(true));
                NDArray sample = m.randomNormal(new Shape(2, 4, 16, 16)).toType(type, false);
                NDArray timesteps = m.randomInteger(0, 1000, new Shape(2), DataType.INT64);
                NDArray context = m.randomNormal(new Shape(2, 7, 24)).toType(type, false);
                // the inputs join the step's scope, so that its output and autograd graph die with it: a graph
                // left alive would keep the gradient accumulators on the stream of the run that made them
                Runnable step = () -> {
                    try (NDManager scope = m.newSubManager(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        List.of(sample, timesteps, context).forEach(x -> x.tempAttach(scope));
                        collector.backward(unet.forward(sample, timesteps, context).square().mean());
                    }
                };
                step.run();
                NDArray eager = gradients(m, parameters);
                zero(parameters);
                // not bit for bit: on the graph's stream cuBLAS and cuDNN may pick other kernels (4e-5 seen in fp32)
                double tolerance = type == DataType.FLOAT16 ? 5e-3 : 1e-4;
                try (CudaGraphStep graph = CudaGraphStep.capture(device(), 2, step)) {
                    zero(parameters);
                    graph.replay();
                    Parity.assertClose("one replay, " + type, gradients(m, parameters), eager, tolerance);
                    graph.replay();
                    Parity.assertClose("two replays accumulate, " + type, gradients(m, parameters),
                            eager.mul(eager.getManager().full(new Shape(), 2f, eager.getDataType())), tolerance);
                }
            }
        }
    }

    @Test
    void randomDrawsInsideTheStepAreNewOnEveryReplay() {
        try (NDManager m = NDManager.newBaseManager(device())) {
            List<NDArray> losses = new ArrayList<>();
            Function<NDManager, NDArray> draw = scope -> scope.randomNormal(new Shape(1000)).square().mean();
            try (CudaGraphStep graph = CudaGraphStep.capture(device(), 1, () -> {
                try (NDManager scope = m.newSubManager()) {
                    NDArray loss = draw.apply(scope);
                    loss.attach(m);
                    losses.add(loss);
                }
            })) {
                NDArray recorded = losses.get(losses.size() - 1);
                graph.replay();
                float first = recorded.getFloat();
                graph.replay();
                float second = recorded.getFloat();
                assertThat(first).isBetween(0.8f, 1.2f);
                assertThat(second).isBetween(0.8f, 1.2f).isNotEqualTo(first);
            }
        }
    }

    private static NDArray gradients(NDManager m, List<NDArray> parameters) {
        NDList flat = new NDList();
        for (NDArray p : parameters) {
            flat.add(p.getGradient().flatten().toType(DataType.FLOAT32, false));
        }
        NDArray all = NDArrays.concat(flat);
        all.attach(m);
        return all;
    }

    private static void zero(List<NDArray> parameters) {
        for (NDArray p : parameters) {
            NDArray g = p.getGradient();
            g.subi(g);
        }
    }
}
