package org.sdspark.model.train;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.sdspark.model.train.optim.LearningRateSchedule;
import org.sdspark.model.train.optim.LossScaler;
import org.sdspark.model.train.optim.OptimizerSettings;

/**
 * The update the training benchmarks time, the one diffusers' reference scripts step: AdamW (lr
 * 1e-5, weight decay 1e-2) at a constant rate over every trained element, clipping at 1.0, and
 * torch's GradScaler in fp16.
 */
public final class BenchmarkUpdate {
    private static final double LR = 1e-5;
    private static final double WEIGHT_DECAY = 1e-2;

    private BenchmarkUpdate() {
    }

    /** {@code ema} null for none; {@code recorded}: micro-batches replayed from CUDA graphs. */
    public static ParameterUpdate adamW(FlatParameters flat, NDManager manager, boolean fp16, ParameterUpdate.EmaFactory ema,
                                        Collective collective, boolean recorded) {
        return new ParameterUpdate(flat, manager, OptimizerSettings.adamW(OptimizerSettings.Kind.ADAMW)::create,
                LearningRateSchedule.of(LearningRateSchedule.Kind.CONSTANT, LR, 0, Integer.MAX_VALUE),
                List.of(new ParameterUpdate.Rate(0, flat.layout().length(), LR, WEIGHT_DECAY)), 1.0,
                fp16 ? new LossScaler(LossScaler.Settings.TORCH) : null, ema, collective, recorded);
    }
}
