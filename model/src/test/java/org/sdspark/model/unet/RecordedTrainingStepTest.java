package org.sdspark.model.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.CudaGraphStep;
import org.sdspark.model.testing.Parity;
import org.sdspark.model.train.Autograd;
import org.sdspark.model.train.Collective;
import org.sdspark.model.train.FlatParameters;
import org.sdspark.model.train.MicroBatchGraphs;
import org.sdspark.model.train.Parameter;
import org.sdspark.model.train.ParameterTree;
import org.sdspark.model.train.ParameterUpdate;
import org.sdspark.model.train.optim.LearningRateSchedule;
import org.sdspark.model.train.optim.LossScaler;
import org.sdspark.model.train.optim.Sgd;

/**
 * Training steps whose micro-batches replay {@link MicroBatchGraphs} against the same steps run
 * eagerly (gradient hooks, loss scaling in fp16): the same losses and the same weight updates after
 * three steps of two micro-batches of two shapes, one of them first met at a step's second
 * micro-batch (run eagerly that once). Plain SGD, so that the update is the gradient itself: Adam
 * would turn rounding-level differences of near-zero gradients into whole steps. Runs on the GPU
 * host with the torch extension.
 */
class RecordedTrainingStepTest {
    private static final Shape A = new Shape(2, 4, 16, 16);
    private static final Shape B = new Shape(1, 4, 8, 8);
    private static final List<List<Shape>> STEPS = List.of(List.of(A, A), List.of(A, B), List.of(B, A));

    @BeforeAll
    static void needsCudaGraphs() {
        assumeTrue(CudaGraphStep.available(device()), "no GPU, or the torch extension has no CUDA graphs");
    }

    private static Device device() {
        return Engine.getInstance().defaultDevice();
    }

    private record Run(List<Float> losses, NDArray master) {
    }

    @Test
    void recordedMicroBatchesTrainAsEagerOnesDo() {
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
            try (NDManager m = NDManager.newBaseManager(device());
                 UNet2DConditionModel fresh = UNet2DConditionModel.random(m, UNetModelTest.tiny(false));
                 UNet2DConditionModel unet = fresh.toType(type)) {
                ParameterTree tree = ParameterTree.of(Map.of("unet", unet.stateDict()));
                List<Parameter> trained = tree.select(List.of("unet.*"));
                tree.freezeAllBut(trained);
                FlatParameters flat = new FlatParameters(trained);
                NDArray initial = flat.values(m);
                List<List<NDList>> data = new ArrayList<>();
                for (List<Shape> step : STEPS) {
                    List<NDList> micro = new ArrayList<>();
                    for (Shape s : step) {
                        micro.add(new NDList(m.randomNormal(s).toType(type, false),
                                m.randomInteger(0, 1000, new Shape(s.get(0)), DataType.INT64),
                                m.randomNormal(new Shape(s.get(0), 7, 24)).toType(type, false),
                                m.randomNormal(s)));
                    }
                    data.add(micro);
                }
                Run eager = train(m, unet, flat, initial, data, type, false);
                Run recorded = train(m, unet, flat, initial, data, type, true);
                // not bit for bit: on the graph's stream cuBLAS and cuDNN may pick other kernels (3e-5 seen in fp32)
                double tolerance = type == DataType.FLOAT16 ? 5e-3 : 1e-4;
                for (int i = 0; i < eager.losses().size(); i++) {
                    assertThat((double) recorded.losses().get(i)).as("loss %d, %s", i, type)
                            .isCloseTo(eager.losses().get(i), Percentage.withPercentage(tolerance * 100));
                }
                NDArray eagerUpdate = eager.master().sub(initial);
                assertThat(eagerUpdate.norm().getFloat()).as("the weights moved").isGreaterThan(0f);
                // fp32 convolutions run in TF32 on the GPU (PyTorch's default, cuDNN allow_tf32), and the graph's stream
                // may get other kernels than the eager one: their roundings differ by TF32's (8e-4 seen on the H200).
                // Stale gradients or warm-up runs left in them would be off by far more.
                Parity.assertClose("weight update of three steps, " + type, recorded.master().sub(initial), eagerUpdate,
                        type == DataType.FLOAT16 ? 5e-3 : 2e-3);
            }
        }
    }

    private static Run train(NDManager m, UNet2DConditionModel unet, FlatParameters flat, NDArray initial,
                             List<List<NDList>> data, DataType type, boolean recorded) {
        flat.assign(initial);
        double lr = 0.1;
        MicroBatchGraphs.Loss loss = in -> unet.forward(in.get(0), in.get(1), in.get(2)).sub(in.get(3)).square().mean();
        try (ParameterUpdate update = new ParameterUpdate(flat, m, (mm, n) -> new Sgd(mm, n, 0, false),
                LearningRateSchedule.of(LearningRateSchedule.Kind.CONSTANT, lr, 0, STEPS.size()),
                List.of(new ParameterUpdate.Rate(0, flat.layout().length(), lr, 0)), 1.0,
                type == DataType.FLOAT16 ? new LossScaler(LossScaler.Settings.TORCH) : null, null, Collective.single(), recorded);
             MicroBatchGraphs graphs = recorded ? new MicroBatchGraphs(m, loss, flat) : null) {
            List<Float> losses = new ArrayList<>();
            for (List<NDList> step : data) {
                for (int micro = 0; micro < step.size(); micro++) {
                    // each micro-batch's arrays in a scope of its own, as the training loop's: nothing outlives it
                    try (NDManager scope = m.newSubManager()) {
                        NDList inputs = new NDList();
                        for (NDArray a : step.get(micro)) {
                            NDArray copy = a.duplicate();
                            copy.attach(scope);
                            inputs.add(copy);
                        }
                        if (recorded) {
                            losses.add(update.backward(graphs, inputs, micro, step.size()));
                        } else {
                            NDArray value = Autograd.recording(() -> loss.of(inputs));
                            update.backward(value, micro, step.size());
                            losses.add(value.getFloat());
                        }
                    }
                }
                update.apply();
            }
            if (recorded) {
                assertThat(graphs.recordedShapes()).isEqualTo(2);
            }
            NDArray master = update.master().duplicate();
            master.attach(m);
            return new Run(losses, master);
        }
    }
}
