package org.sdspark.model.scheduler;

/** The linear combination {@code sample·sample + model·modelOutput}: how every step mixes its two inputs. */
public record Combination(double sample, double model) {
    /** The sample itself. */
    public static final Combination SAMPLE = new Combination(1, 0);

    public Combination minus(Combination other) {
        return new Combination(sample - other.sample, model - other.model);
    }

    public Combination plus(Combination other) {
        return new Combination(sample + other.sample, model + other.model);
    }

    public Combination times(double factor) {
        return new Combination(sample * factor, model * factor);
    }
}
