package org.sdspark.model.train.optim;

import ai.djl.ndarray.NDManager;

/** Which optimizer and its hyper-parameters (torch's defaults where a recipe leaves them out). */
public record OptimizerSettings(Kind kind, double beta1, double beta2, double eps, double weightDecay, double momentum,
                                boolean nesterov) {

    public enum Kind { ADAMW, ADAMW_8BIT, SGD }

    public OptimizerSettings {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)
                || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("optimizer needs betas in [0, 1), eps > 0, weight decay >= 0,"
                    + " momentum in [0, 1): " + this);
        }
    }

    /** torch.optim.AdamW's defaults with diffusers' scripts' weight decay 1e-2. */
    public static OptimizerSettings adamW(Kind kind) {
        return new OptimizerSettings(kind, 0.9, 0.999, 1e-8, 1e-2, 0, false);
    }

    public Optimizer create(NDManager manager, long length) {
        return switch (kind) {
            case ADAMW -> new AdamW(manager, length, beta1, beta2, eps);
            case ADAMW_8BIT -> new AdamW8bit(manager, length, beta1, beta2, eps);
            case SGD -> new Sgd(manager, length, momentum, nesterov);
        };
    }
}
