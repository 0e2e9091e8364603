package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * {@code torch.optim.AdamW(fused=True)}'s step through the {@link TorchExtension}: one multi-tensor
 * kernel updates parameters and moments in place (decoupled weight decay, bias correction). Works
 * on any list of same-device tensors, e.g. one flat fp32 master buffer with its gradient and moments.
 *
 * @param steps one float32 scalar step counter per parameter, on the parameters' device;
 *              incremented by each step (and not, when {@code foundInf} says the step is skipped)
 */
public record FusedAdamW(double beta1, double beta2, double eps, double weightDecay) {

    public void step(NDArray params, NDArray grads, NDArray expAvg, NDArray expAvgSq, NDArray steps, double lr) {
        step(List.of(params), List.of(grads), List.of(expAvg), List.of(expAvgSq), List.of(steps), lr, null, null);
    }

    /**
     * @param gradScale null, or the loss scale as a float32 scalar: gradients are divided by it first
     * @param foundInf null, or a float32 scalar that is 1 when the scaled gradients overflowed: then
     *                 nothing changes (the fp16 loss scaler's skipped step)
     */
    public void step(List<NDArray> params, List<NDArray> grads, List<NDArray> expAvg, List<NDArray> expAvgSq,
                     List<NDArray> steps, double lr, NDArray gradScale, NDArray foundInf) {
        int n = params.size();
        if (grads.size() != n || expAvg.size() != n || expAvgSq.size() != n || steps.size() != n) {
            throw new IllegalArgumentException("AdamW needs one gradient, two moments and a step per parameter; got "
                    + n + " parameters, " + grads.size() + " gradients, " + expAvg.size() + " + " + expAvgSq.size()
                    + " moments, " + steps.size() + " steps");
        }
        if (!TorchExtension.isLoaded()) {
            throw new IllegalStateException("fused AdamW needs the torch extension (" + TorchExtension.PATH_PROPERTY + ")");
        }
        TorchExtension.fusedAdamW(TorchExtension.handles(params), TorchExtension.handles(grads),
                TorchExtension.handles(expAvg), TorchExtension.handles(expAvgSq), TorchExtension.handles(steps),
                lr, beta1, beta2, weightDecay, eps, TorchExtension.handle(gradScale), TorchExtension.handle(foundInf));
    }
}
