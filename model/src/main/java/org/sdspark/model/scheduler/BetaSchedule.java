package org.sdspark.model.scheduler;

/**
 * How the per-step noise variances (betas) of the training process are laid out.
 *
 * <p>diffusers builds its tables in float32 ({@code torch.linspace(..., dtype=float32)}), and the
 * samplers' sigmas inherit that rounding; the betas here are rounded to float32 the same way so
 * that timestep and sigma tables agree with diffusers' to float precision.
 */
public enum BetaSchedule {
    LINEAR("linear"),
    /** Linear in sqrt(beta): the latent-diffusion (Stable Diffusion) schedule. */
    SCALED_LINEAR("scaled_linear"),
    /** The cosine (GLIDE / improved DDPM) schedule, betas capped at 0.999. */
    SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

    private static final double MAX_COSINE_BETA = 0.999;

    private final String configName;

    BetaSchedule(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public double[] betas(int steps, double betaStart, double betaEnd) {
        return switch (this) {
            case LINEAR -> float32Linspace((float) betaStart, (float) betaEnd, steps);
            case SCALED_LINEAR -> squared(float32Linspace((float) Math.sqrt(betaStart), (float) Math.sqrt(betaEnd), steps));
            case SQUAREDCOS_CAP_V2 -> cosine(steps);
        };
    }

    /** torch.linspace in float32: the first half counts up from start, the second half down from end. */
    static double[] float32Linspace(float start, float end, int steps) {
        double[] out = new double[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < halfway ? start + step * i : end - step * (steps - 1 - i);
        }
        return out;
    }

    private static double[] squared(double[] roots) {
        double[] out = new double[roots.length];
        for (int i = 0; i < roots.length; i++) {
            float r = (float) roots[i];
            out[i] = r * r;
        }
        return out;
    }

    private static double[] cosine(int steps) {
        double[] out = new double[steps];
        for (int i = 0; i < steps; i++) {
            double beta = 1 - alphaBar((i + 1) / (double) steps) / alphaBar(i / (double) steps);
            out[i] = (float) Math.min(beta, MAX_COSINE_BETA);
        }
        return out;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    static BetaSchedule byConfigName(String name) {
        for (BetaSchedule s : values()) {
            if (s.configName.equals(name)) {
                return s;
            }
        }
        return null;
    }
}
