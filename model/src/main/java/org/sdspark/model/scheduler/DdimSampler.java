package org.sdspark.model.scheduler;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/** DDIM, deterministic at eta = 0 and stochastic above, stepping by {@link DdimSteps}. */
public final class DdimSampler implements Sampler {
    private final DdimSteps steps;
    private final double[] timesteps;
    private final boolean clip;
    private final double clipRange;
    private final boolean stochastic;

    public DdimSampler(SchedulerConfig config, int n, double eta) {
        this.steps = new DdimSteps(config, n, eta);
        this.stochastic = eta > 0;
        this.timesteps = Arrays.stream(steps.timesteps()).asDoubleStream().toArray();
        this.clip = config.clipSample();
        this.clipRange = config.clipSampleRange();
    }

    @Override
    public String name() {
        return "ddim";
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public boolean needsNoise() {
        return stochastic;
    }

    @Override
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NDArray noise) {
        Tensors.checkStep(stepIndex, timesteps.length);
        if (stochastic && noise == null) {
            throw new IllegalArgumentException("ddim with eta > 0 needs a unit Gaussian noise tensor at every step");
        }
        DdimSteps.Step s = steps.step(stepIndex);
        return Tensors.scoped(sample, () -> {
            NDArray prev;
            if (!clip) {
                prev = Tensors.combine(s.prev(), sample, modelOutput);
            } else {
                NDArray x0 = Tensors.combine(s.x0(), sample, modelOutput).clip(-clipRange, clipRange);
                NDArray epsilon = Tensors.combine(s.epsilon(), sample, modelOutput);
                prev = x0.mul(scalar(x0, s.x0Weight())).add(epsilon.mul(scalar(epsilon, s.epsilonWeight())));
            }
            return stochastic ? prev.add(noise.toType(prev.getDataType(), false).mul(scalar(prev, s.noise()))) : prev;
        }, sample, modelOutput, stochastic ? noise : null);
    }
}
