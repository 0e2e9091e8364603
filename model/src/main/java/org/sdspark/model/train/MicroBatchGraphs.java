package org.sdspark.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sdspark.model.nn.CudaGraphStep;

/**
 * The part of a micro-batch that launches thousands of kernels (the model's forward, the loss,
 * backward) recorded as one CUDA graph per shape of its inputs and replayed: at small batches the
 * GPU then runs as fast as it computes, not as fast as the host queues kernels. Before a replay the
 * inputs are copied into the graph's own tensors and the seed gradient (loss scale / micro-batches)
 * into its tensor; gradients accumulate in the parameters' own tensors, which backward adds to in
 * place. A shape is recorded at the first micro-batch of a step that has it: the eager warm-up runs
 * before the recording add to the gradients, which are then zeroed; a shape first met later in a
 * step runs eagerly that once. Shapes share one pool of memory for their temporaries (they run in
 * turn on one stream).
 */
public final class MicroBatchGraphs implements AutoCloseable {
    private static final int WARMUPS = 2;

    /** The recorded computation: the loss of {@code inputs}, recording on. */
    @FunctionalInterface
    public interface Loss {
        NDArray of(NDList inputs);
    }

    private final NDManager manager;
    private final Loss loss;
    private final FlatParameters parameters;
    private final Map<List<String>, Recorded> recorded = new HashMap<>();
    private CudaGraphStep firstGraph;

    private static final class Recorded {
        NDList inputs;
        NDArray seed;
        NDArray value;
        CudaGraphStep graph;
    }

    /** {@code parameters}: the trained ones, whose gradients the warm-up runs dirty. */
    public MicroBatchGraphs(NDManager parent, Loss loss, FlatParameters parameters) {
        this.manager = parent.newSubManager();
        this.loss = loss;
        this.parameters = parameters;
    }

    /** Backward of the loss of {@code inputs} seeded with {@code seed}; returns the loss. */
    float backward(NDList inputs, double seed, boolean firstOfStep) {
        List<String> key = key(inputs);
        Recorded r = recorded.get(key);
        if (r == null && !firstOfStep) {
            NDArray value = Autograd.recording(() -> loss.of(inputs));
            Autograd.backward(value, seed);
            return value.getFloat();
        }
        if (r == null) {
            r = record(inputs, seed);
            recorded.put(key, r);
            parameters.zeroGradients();
        }
        for (int i = 0; i < inputs.size(); i++) {
            r.inputs.get(i).set(new NDIndex("..."), inputs.get(i));
        }
        try (NDArray value = manager.full(r.seed.getShape(), (float) seed, r.seed.getDataType())) {
            r.seed.set(new NDIndex("..."), value);
        }
        r.graph.replay();
        return r.value.getFloat();
    }

    /** Micro-batch shapes recorded so far. */
    public int recordedShapes() {
        return recorded.size();
    }

    private Recorded record(NDList inputs, double seed) {
        Recorded r = new Recorded();
        r.inputs = new NDList();
        for (NDArray input : inputs) {
            NDArray own = input.duplicate();
            own.attach(manager);
            r.inputs.add(own);
        }
        Device device = inputs.get(0).getDevice();
        r.graph = CudaGraphStep.capture(device, WARMUPS, () -> run(r, seed), firstGraph);
        if (firstGraph == null) {
            firstGraph = r.graph;
        }
        return r;
    }

    // Everything made here dies with the scope but the loss's storage (a detached view, no graph):
    // a live autograd graph would keep the parameters' gradient accumulators on this run's stream.
    private void run(Recorded r, double seed) {
        try (NDManager scope = manager.newSubManager()) {
            r.inputs.forEach(input -> input.tempAttach(scope));
            NDArray value = Autograd.recording(() -> loss.of(r.inputs));
            if (r.seed == null) {
                r.seed = manager.full(value.getShape(), (float) seed, value.getDataType());
            }
            Autograd.backward(value, r.seed);
            if (r.value != null) {
                r.value.close();
            }
            r.value = value.stopGradient();
            r.value.attach(manager);
        }
    }

    private static List<String> key(NDList inputs) {
        List<String> key = new ArrayList<>(inputs.size());
        for (NDArray input : inputs) {
            Shape shape = input.getShape();
            key.add(shape + " " + input.getDataType());
        }
        return key;
    }

    @Override
    public void close() {
        for (Recorded r : recorded.values()) {
            r.graph.close();
        }
        manager.close();
    }
}
