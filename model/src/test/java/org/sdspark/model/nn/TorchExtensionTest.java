package org.sdspark.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdspark.model.testing.Parity;

/**
 * The torch extension's fused kernels against the composed DJL paths they replace, forward and
 * gradients, on DJL's default device (the GPU, in float16 and float32, where there is one). Runs
 * where the extension is loaded ({@code -Dsdspark.torch.extension=...}); the GPU host's test run
 * passes it, CPU builds without it skip these tests.
 */
class TorchExtensionTest {

    @BeforeAll
    static void needsTheExtension() {
        assumeTrue(TorchExtension.isLoaded(), "torch extension not loaded (" + TorchExtension.PATH_PROPERTY + ")");
    }

    private static Device device() {
        return Engine.getInstance().defaultDevice();
    }

    private static List<DataType> types() {
        return device().isGpu() ? List.of(DataType.FLOAT16, DataType.FLOAT32) : List.of(DataType.FLOAT32);
    }

    /** fp32 kernels agree to rounding; fp16 within what half precision allows. */
    private static double tolerance(DataType type) {
        return type == DataType.FLOAT16 ? 5e-3 : 1e-5;
    }

    @Test
    void fusedAttentionMatchesComposedForwardAndGradients() {
        record Case(String name, Shape q, Shape kv, boolean causal) {
        }
        List<Case> cases = List.of(
                new Case("self-attention, 1024 tokens", new Shape(2, 8, 1024, 40), new Shape(2, 8, 1024, 40), false),
                new Case("cross-attention to 77 tokens", new Shape(2, 8, 1024, 80), new Shape(2, 8, 77, 80), false),
                new Case("causal, CLIP", new Shape(2, 12, 77, 64), new Shape(2, 12, 77, 64), true));
        for (DataType type : types()) {
            for (Case c : cases) {
                compare(c.name() + " " + type, type, List.of(c.q(), c.kv(), c.kv()),
                        in -> TorchExtension.scaledDotProductAttention(in.get(0), in.get(1), in.get(2), c.causal()),
                        in -> AttentionOps.composed(in.get(0), in.get(1), in.get(2), c.causal(), false));
            }
        }
    }

    @Test
    void fusedGroupNormSiluAndUpsamplingMatchComposed() {
        for (DataType type : types()) {
            try (NDManager m = NDManager.newBaseManager(device())) {
                GroupNorm norm = new GroupNorm(32, 1e-5f, m.randomNormal(new Shape(128)).toType(type, false),
                        m.randomNormal(new Shape(128)).toType(type, false));
                compare("group norm " + type, type, List.of(new Shape(2, 128, 32, 32)),
                        in -> TorchExtension.groupNorm(in.get(0), 32, norm.weight(), norm.bias(), 1e-5),
                        in -> norm.composed(in.get(0)));
            }
            compare("silu " + type, type, List.of(new Shape(2, 128, 32, 32)),
                    in -> TorchExtension.silu(in.get(0)),
                    in -> in.get(0).mul(ai.djl.nn.Activation.sigmoid(in.get(0))));
            // 2x, and to a skip connection's odd size (2H - 1)
            for (long[] size : new long[][] {{18, 14}, {17, 13}}) {
                compare("nearest upsampling to " + size[0] + "x" + size[1] + " " + type, type, List.of(new Shape(2, 64, 9, 7)),
                        in -> TorchExtension.upsampleNearest(in.get(0), size[0], size[1]),
                        in -> gatherNearest(in.get(0), size[0], size[1]));
            }
        }
    }

    // PyTorch's definition of "nearest": output index d reads input floor(d * in / out)
    private static NDArray gatherNearest(NDArray x, long height, long width) {
        NDManager m = x.getManager();
        return x.get(":, :, {}, :", m.create(nearestIndices(x.getShape().get(2), height)))
                .get(":, :, :, {}", m.create(nearestIndices(x.getShape().get(3), width)));
    }

    private static long[] nearestIndices(long in, long out) {
        long[] indices = new long[(int) out];
        for (int d = 0; d < out; d++) {
            indices[d] = (long) Math.floor(d * ((float) in / out));
        }
        return indices;
    }

    /**
     * Runs {@code fused} on inputs of {@code type} and {@code composed} in float32 on the same
     * values; the fused output and input gradients must be within the type's tolerance of those.
     */
    private static void compare(String what, DataType type, List<Shape> shapes,
                                Function<List<NDArray>, NDArray> fused, Function<List<NDArray>, NDArray> composed) {
        try (NDManager m = NDManager.newBaseManager(device())) {
            List<NDArray> inputs = new ArrayList<>();
            for (Shape shape : shapes) {
                inputs.add(m.randomNormal(shape).toType(type, false));
            }
            Map<Shape, NDArray> weights = new HashMap<>();
            Function<Shape, NDArray> weightsFor = shape -> weights.computeIfAbsent(shape, m::randomNormal);
            List<NDArray> reference = run(inputs, DataType.FLOAT32, composed, weightsFor);
            List<NDArray> actual = run(inputs, type, fused, weightsFor);
            for (int i = 0; i < reference.size(); i++) {
                double err = Parity.relativeError(actual.get(i), reference.get(i));
                System.out.printf("fused %-45s %s rel.err %.2e%n", what, i == 0 ? "output" : "grad " + i, err);
                assertThat(err).as(what + (i == 0 ? " output" : " gradient " + i)).isLessThan(tolerance(type));
            }
        }
    }

    /** The output, then the gradient of sum(output * weights) for every input, all as float32. */
    private static List<NDArray> run(List<NDArray> values, DataType type, Function<List<NDArray>, NDArray> op,
                                     Function<Shape, NDArray> weightsFor) {
        List<NDArray> inputs = new ArrayList<>();
        for (NDArray value : values) {
            NDArray input = value.toType(type, true);
            input.setRequiresGradient(true);
            inputs.add(input);
        }
        List<NDArray> results = new ArrayList<>();
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray out = op.apply(inputs);
            collector.backward(out.mul(weightsFor.apply(out.getShape()).toType(type, false)).sum());
            results.add(out.toType(DataType.FLOAT32, true));
        }
        for (NDArray input : inputs) {
            results.add(input.getGradient().toType(DataType.FLOAT32, true));
        }
        return results;
    }

    @Test
    void fusedAdamWStepsAsTorchOptimAdamW() {
        // float values: the kernel holds its hyper-parameters in float32 (1 - 0.999f is 1.3e-5 off 1e-3)
        double lr = 1e-3f;
        double beta1 = 0.9f;
        double beta2 = 0.999f;
        double eps = 1e-8f;
        double decay = 1e-2f;
        FusedAdamW adamW = new FusedAdamW(beta1, beta2, eps, decay);
        int n = 4096;
        try (NDManager m = NDManager.newBaseManager(device())) {
            NDArray params = m.randomNormal(new Shape(n));
            NDArray expAvg = m.zeros(new Shape(n));
            NDArray expAvgSq = m.zeros(new Shape(n));
            NDArray step = m.zeros(new Shape());
            double[] p = toDoubles(params);
            double[] mean = new double[n];
            double[] square = new double[n];
            for (int t = 1; t <= 3; t++) {
                NDArray grads = m.randomNormal(new Shape(n));
                double[] g = toDoubles(grads);
                if (t == 2) {
                    // a loss-scaled step: the kernel unscales the gradients first
                    NDArray scale = m.create(1024f);
                    adamW.step(List.of(params), List.of(grads.mul(m.create(1024f))), List.of(expAvg), List.of(expAvgSq),
                            List.of(step), lr, scale, m.create(0f));
                } else {
                    adamW.step(params, grads, expAvg, expAvgSq, step, lr);
                }
                for (int i = 0; i < n; i++) {
                    p[i] *= 1 - lr * decay;
                    mean[i] = beta1 * mean[i] + (1 - beta1) * g[i];
                    square[i] = beta2 * square[i] + (1 - beta2) * g[i] * g[i];
                    double denom = Math.sqrt(square[i]) / Math.sqrt(1 - Math.pow(beta2, t)) + eps;
                    p[i] -= lr / (1 - Math.pow(beta1, t)) * mean[i] / denom;
                }
                assertThat(step.getFloat()).isEqualTo((float) t);
                assertThat(Parity.relativeError(params, m.create(toFloats(p)))).as("parameters after step " + t).isLessThan(1e-6);
                assertThat(Parity.relativeError(expAvgSq, m.create(toFloats(square)))).as("second moment").isLessThan(1e-6);
            }
            // an overflowed fp16 step changes nothing, the step counter included
            float[] before = params.toFloatArray();
            adamW.step(List.of(params), List.of(m.randomNormal(new Shape(n))), List.of(expAvg), List.of(expAvgSq),
                    List.of(step), lr, m.create(1f), m.create(1f));
            assertThat(params.toFloatArray()).containsExactly(before);
            assertThat(step.getFloat()).isEqualTo(3f);
        }
    }

    @Test
    void cudaMemoryCountsAnAllocationInItsPeak() {
        Device gpu = device();
        assumeTrue(gpu.isGpu(), "no GPU");
        long bytes = 256L << 20;
        try (NDManager m = NDManager.newBaseManager(gpu)) {
            CudaMemory.synchronize(gpu);
            CudaMemory.resetPeaks(gpu);
            long before = CudaMemory.of(gpu).allocated();
            try (NDArray block = m.zeros(new Shape(bytes / 4))) {
                CudaMemory.synchronize(gpu);
                CudaMemory during = CudaMemory.of(gpu);
                assertThat(during.allocated() - before).isGreaterThanOrEqualTo(bytes);
                assertThat(during.peakAllocated()).isGreaterThanOrEqualTo(during.allocated());
                assertThat(during.reserved()).isGreaterThanOrEqualTo(during.allocated());
            }
            CudaMemory.resetPeaks(gpu);
            assertThat(CudaMemory.of(gpu).peakAllocated()).isLessThan(before + bytes);
        }
    }

    private static double[] toDoubles(NDArray array) {
        float[] values = array.toFloatArray();
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }

    private static float[] toFloats(double[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }
}
