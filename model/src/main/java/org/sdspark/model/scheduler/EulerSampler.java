package org.sdspark.model.scheduler;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;

/** Euler (EulerDiscrete) and Euler ancestral, with or without Karras sigmas, stepping by {@link EulerSteps}. */
public final class EulerSampler implements Sampler {
    private final EulerSteps steps;
    private final boolean ancestral;
    private final boolean karras;
    private final int n;

    public EulerSampler(SchedulerConfig config, int n, boolean ancestral, boolean karras) {
        this.steps = new EulerSteps(config, n, ancestral, karras);
        this.ancestral = ancestral;
        this.karras = karras;
        this.n = n;
    }

    @Override
    public String name() {
        return (ancestral ? "euler-a" : "euler") + (karras ? "-karras" : "");
    }

    @Override
    public double[] timesteps() {
        return steps.timesteps();
    }

    public double[] sigmas() {
        return steps.sigmas();
    }

    @Override
    public double initNoiseSigma() {
        return steps.initNoiseSigma();
    }

    @Override
    public boolean needsNoise() {
        return ancestral;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, int stepIndex) {
        Tensors.checkStep(stepIndex, n);
        return Tensors.scoped(sample, () -> sample.div(scalar(sample, steps.inputDivisor(stepIndex))), sample);
    }

    @Override
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NDArray noise) {
        Tensors.checkStep(stepIndex, n);
        if (ancestral && noise == null) {
            throw new IllegalArgumentException(name() + " needs a unit Gaussian noise tensor at every step");
        }
        EulerSteps.Step s = steps.step(stepIndex);
        return Tensors.scoped(sample, () -> {
            NDArray prev = Tensors.combine(s.prev(), sample, modelOutput);
            return ancestral ? prev.add(noise.mul(scalar(noise, s.noise()))) : prev;
        }, sample, modelOutput, ancestral ? noise : null);
    }
}
