package org.sdspark.model.scheduler;

/**
 * What the denoising model was trained to predict. Written for a variance-preserving sample
 * x = alpha·x0 + sigma·eps (alpha² + sigma² = 1), each type says how the clean sample x0 and the
 * noise eps follow linearly from the noisy sample and the model's output.
 */
public enum PredictionType {
    EPSILON("epsilon"),
    /** v = alpha·eps − sigma·x0 (Salimans & Ho), used by SD 2.x 768 models. */
    V_PREDICTION("v_prediction"),
    SAMPLE("sample");

    private final String configName;

    PredictionType(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** x0 as a combination of the noisy sample and the model output. */
    public Combination x0(double alpha, double sigma) {
        return switch (this) {
            case EPSILON -> new Combination(1 / alpha, -sigma / alpha);
            case V_PREDICTION -> new Combination(alpha, -sigma);
            case SAMPLE -> new Combination(0, 1);
        };
    }

    /** eps as a combination of the noisy sample and the model output. */
    public Combination epsilon(double alpha, double sigma) {
        return switch (this) {
            case EPSILON -> new Combination(0, 1);
            case V_PREDICTION -> new Combination(sigma, alpha);
            case SAMPLE -> new Combination(1 / sigma, -alpha / sigma);
        };
    }

    static PredictionType byConfigName(String name) {
        for (PredictionType p : values()) {
            if (p.configName.equals(name)) {
                return p;
            }
        }
        return null;
    }
}
