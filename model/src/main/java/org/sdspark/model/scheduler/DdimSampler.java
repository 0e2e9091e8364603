package org.sdspark.model.scheduler;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/** DDIM with eta = 0 (deterministic), stepping by {@link DdimSteps}. */
public final class DdimSampler implements Sampler {
    private final DdimSteps steps;
    private final double[] timesteps;
    private final boolean clip;
    private final double clipRange;

    public DdimSampler(SchedulerConfig config, int n) {
        this.steps = new DdimSteps(config, n);
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
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NDArray noise) {
        Tensors.checkStep(stepIndex, timesteps.length);
        DdimSteps.Step s = steps.step(stepIndex);
        return Tensors.scoped(sample, () -> {
            if (!clip) {
                return Tensors.combine(s.prev(), sample, modelOutput);
            }
            NDArray x0 = Tensors.combine(s.x0(), sample, modelOutput).clip(-clipRange, clipRange);
            NDArray epsilon = Tensors.combine(s.epsilon(), sample, modelOutput);
            return x0.mul(scalar(x0, s.x0Weight())).add(epsilon.mul(scalar(epsilon, s.epsilonWeight())));
        }, sample, modelOutput);
    }
}
