package org.sdspark.model.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.sdspark.model.nn.FusedAdamW;
import org.sdspark.model.nn.TorchExtension;

/**
 * {@code torch.optim.AdamW} (amsgrad off) over the flat buffer, in torch's order of operations:
 * decoupled weight decay p ← p·(1 − lr·wd); m ← lerp(m, g, 1 − β1); v ← β2·v + (1 − β2)·g²;
 * p ← p − lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + ε). On a GPU with the torch extension loaded
 * each segment is one {@link FusedAdamW} kernel ({@code torch.optim.AdamW(fused=True)}, the same
 * update); the composed ops are the CPU path and the reference it is tested against.
 */
public final class AdamW implements Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final NDManager manager;
    private final NDArray expAvg;
    private final NDArray expAvgSq;

    public AdamW(NDManager parent, long length, double beta1, double beta2, double eps) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.manager = parent.newSubManager();
        this.expAvg = manager.zeros(new Shape(length), DataType.FLOAT32);
        this.expAvgSq = manager.zeros(new Shape(length), DataType.FLOAT32);
    }

    @Override
    public void step(NDArray parameters, NDArray gradients, List<Segment> segments, long step) {
        boolean fused = parameters.getDevice().isGpu() && TorchExtension.isLoaded();
        try (NDManager scope = manager.newSubManager()) {
            for (Segment s : segments) {
                NDArray p = SegmentViews.of(parameters, s, scope);
                NDArray g = SegmentViews.of(gradients, s, scope);
                NDArray m = SegmentViews.of(expAvg, s, scope);
                NDArray v = SegmentViews.of(expAvgSq, s, scope);
                if (fused) {
                    // the fused kernel increments its step counter before using it for the bias correction
                    NDArray counter = scope.full(new Shape(), (float) (step - 1), DataType.FLOAT32);
                    new FusedAdamW(beta1, beta2, eps, s.weightDecay()).step(p, g, m, v, counter, s.lr());
                } else {
                    composedStep(p, g, m, v, s, step);
                }
            }
        }
    }

    private void composedStep(NDArray p, NDArray g, NDArray m, NDArray v, Segment s, long step) {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        p.muli(1 - s.lr() * s.weightDecay());
        m.addi(g.sub(m).muli(1 - beta1));
        v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
        NDArray denom = v.sqrt().divi(bc2Sqrt).addi(eps);
        p.subi(m.div(denom).muli(s.lr() / bc1));
    }

    @Override
    public List<OptimizerState> state() {
        return List.of(new OptimizerState("exp_avg", expAvg, 1), new OptimizerState("exp_avg_sq", expAvgSq, 1));
    }

    @Override
    public void close() {
        manager.close();
    }
}
