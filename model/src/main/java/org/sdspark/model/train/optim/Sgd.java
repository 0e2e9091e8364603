package org.sdspark.model.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * {@code torch.optim.SGD} with momentum (no dampening, optionally Nesterov): g ← g + wd·p;
 * b ← μ·b + g (b starts at zero: g on the first step); p ← p − lr·(Nesterov ? g + μ·b : b).
 */
public final class Sgd implements Optimizer {
    private final double momentum;
    private final boolean nesterov;
    private final NDManager manager;
    private final NDArray buffer;

    public Sgd(NDManager parent, long length, double momentum, boolean nesterov) {
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.manager = parent.newSubManager();
        this.buffer = manager.zeros(new Shape(length), DataType.FLOAT32);
    }

    @Override
    public void step(NDArray parameters, NDArray gradients, List<Segment> segments, long step) {
        try (NDManager scope = manager.newSubManager()) {
            for (Segment s : segments) {
                NDArray p = SegmentViews.of(parameters, s, scope);
                NDArray b = SegmentViews.of(buffer, s, scope);
                NDArray g = SegmentViews.of(gradients, s, scope);
                NDArray d = s.weightDecay() == 0 ? g : g.add(p.mul(s.weightDecay()));
                if (momentum != 0) {
                    b.muli(momentum).addi(d); // the buffer starts at zero: torch's first-step copy
                    d = nesterov ? d.add(b.mul(momentum)) : b;
                }
                p.subi(d.mul(s.lr()));
            }
        }
    }

    @Override
    public List<OptimizerState> state() {
        return List.of(new OptimizerState("momentum_buffer", buffer, 1));
    }

    @Override
    public void close() {
        manager.close();
    }
}
