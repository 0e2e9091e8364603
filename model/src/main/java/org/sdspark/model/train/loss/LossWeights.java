package org.sdspark.model.train.loss;

import org.sdspark.model.scheduler.NoiseSchedule;
import org.sdspark.model.scheduler.PredictionType;

/**
 * The coefficient of each sample's mean squared error in a micro-batch's loss, so that the loss is
 * one weighted sum. Instance samples share the instance loss: their mean, each weighted by min-SNR-γ
 * when on (min(snr, γ) / snr, or / (snr + 1) for v-prediction, as diffusers' scripts compute it);
 * class samples share the prior-preservation loss, their plain mean times the prior weight
 * (train_dreambooth.py's instance/class halves, for any mix of the two).
 */
public final class LossWeights {
    private LossWeights() {
    }

    public static double minSnrWeight(double snr, double gamma, PredictionType prediction) {
        double divisor = prediction == PredictionType.V_PREDICTION ? snr + 1 : snr;
        return Math.min(snr, gamma) / divisor;
    }

    public static double[] coefficients(long[] timesteps, boolean[] prior, LossSettings settings,
                                        NoiseSchedule schedule, PredictionType prediction) {
        if (timesteps.length != prior.length) {
            throw new IllegalArgumentException(timesteps.length + " timesteps for " + prior.length + " samples");
        }
        int classCount = 0;
        for (boolean p : prior) {
            classCount += p ? 1 : 0;
        }
        int instanceCount = prior.length - classCount;
        double[] c = new double[prior.length];
        for (int i = 0; i < c.length; i++) {
            if (prior[i]) {
                c[i] = settings.priorLossWeight() / classCount;
            } else {
                // compute_snr returns float32: the weights are formed from the rounded SNR
                double snr = (float) schedule.snr((int) timesteps[i]);
                c[i] = (settings.minSnr() ? (float) minSnrWeight(snr, settings.snrGamma(), prediction) : 1.0) / instanceCount;
            }
        }
        return c;
    }
}
