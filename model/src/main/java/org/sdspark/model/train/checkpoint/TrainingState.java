package org.sdspark.model.train.checkpoint;

import java.util.List;
import org.sdspark.model.train.DataPosition;
import org.sdspark.model.train.optim.LossScaler;

/**
 * The scalar state of a run at a checkpoint ({@code state.json}): optimizer steps taken and
 * applied (skipped ones excluded), the next micro-batch, the loss scaler (null in fp32), the EMA's
 * update count, the trained keys (a changed selection is refused by name), and the resolved
 * configuration the run was started with, verbatim.
 */
public record TrainingState(long step, long appliedSteps, DataPosition next, LossScaler.State scaler, long emaUpdates,
                            List<String> trainedKeys, String config) {
}
