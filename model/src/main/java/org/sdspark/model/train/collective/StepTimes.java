package org.sdspark.model.train.collective;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.OptionalInt;
import org.sdspark.model.train.Collective;

/**
 * Every rank's time for one optimizer step, split into compute (everything but the all-reduce)
 * and all-reduce. A rank that lags shows as the one with the most compute: the others spend the
 * difference waiting for it inside the all-reduce.
 */
public record StepTimes(double[] stepSeconds, double[] allReduceSeconds) {

    /** Gathers every rank's times through the collective (a tiny all-reduce). */
    public static StepTimes gather(Collective collective, NDManager manager, double stepSeconds, double allReduceSeconds) {
        float[][] rows = RankValues.gather(collective, manager, (float) stepSeconds, (float) allReduceSeconds);
        double[] step = new double[rows.length];
        double[] reduce = new double[rows.length];
        for (int r = 0; r < rows.length; r++) {
            step[r] = rows[r][0];
            reduce[r] = rows[r][1];
        }
        return new StepTimes(step, reduce);
    }

    public double computeSeconds(int rank) {
        return Math.max(0, stepSeconds[rank] - allReduceSeconds[rank]);
    }

    public double medianComputeSeconds() {
        double[] compute = new double[stepSeconds.length];
        for (int r = 0; r < compute.length; r++) {
            compute[r] = computeSeconds(r);
        }
        Arrays.sort(compute);
        int n = compute.length;
        return n % 2 == 1 ? compute[n / 2] : (compute[n / 2 - 1] + compute[n / 2]) / 2;
    }

    /** The rank whose compute exceeds the median by more than {@code tolerance} (0.2 = 20%), if any. */
    public OptionalInt laggard(double tolerance) {
        double median = medianComputeSeconds();
        int slowest = 0;
        for (int r = 1; r < stepSeconds.length; r++) {
            if (computeSeconds(r) > computeSeconds(slowest)) {
                slowest = r;
            }
        }
        return stepSeconds.length > 1 && computeSeconds(slowest) > median * (1 + tolerance) ? OptionalInt.of(slowest)
                : OptionalInt.empty();
    }
}
