package org.sdspark.model.scheduler;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/** LCM (for LCM-distilled models and LCM-LoRA), stepping by {@link LcmSteps}; noise at every step but the last. */
public final class LcmSampler implements Sampler {
    private final LcmSteps steps;
    private final double[] timesteps;
    private final boolean clip;
    private final double clipRange;

    public LcmSampler(SchedulerConfig config, int n) {
        this.steps = new LcmSteps(config, n);
        this.timesteps = Arrays.stream(steps.timesteps()).asDoubleStream().toArray();
        this.clip = config.clipSample();
        this.clipRange = config.clipSampleRange();
    }

    @Override
    public String name() {
        return "lcm";
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public boolean needsNoise() {
        return true;
    }

    @Override
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NDArray noise) {
        Tensors.checkStep(stepIndex, timesteps.length);
        LcmSteps.Step s = steps.step(stepIndex);
        if (s.noise() != 0 && noise == null) {
            throw new IllegalArgumentException("lcm needs a unit Gaussian noise tensor at every step but the last");
        }
        return Tensors.scoped(sample, () -> {
            NDArray x0 = Tensors.combine(s.x0(), sample, modelOutput);
            if (clip) {
                x0 = x0.clip(-clipRange, clipRange);
            }
            NDArray denoised = x0.mul(s.cOut()).add(Tensors.atLeastFloat32(sample).mul(s.cSkip()));
            return s.noise() == 0 ? denoised
                    : denoised.mul(s.signal()).add(noise.toType(denoised.getDataType(), false).mul(s.noise()));
        }, sample, modelOutput, s.noise() != 0 ? noise : null);
    }
}
