package org.sdspark.model.train;

/**
 * One optimizer step as the progress callback sees it. {@code loss} is the mean of the
 * micro-batches' losses on this process; {@code applied} is false for a step skipped for overflow.
 */
public record StepReport(long step, long totalSteps, double loss, double lr, double gradNorm, double lossScale,
                         boolean applied, long skippedSteps, double samplesPerSecond, double etaSeconds) {
}
