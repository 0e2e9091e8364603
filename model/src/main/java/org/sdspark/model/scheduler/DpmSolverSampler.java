package org.sdspark.model.scheduler;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;

/**
 * DPM-Solver++ 2M and its SDE variant, with or without Karras sigmas, stepping by {@link
 * DpmSolverSteps}. It keeps the previous step's x0 prediction, so steps must be taken in order
 * and the sampler closed after the run.
 */
public final class DpmSolverSampler implements Sampler {
    private final DpmSolverSteps steps;
    private final double[] timesteps;
    private final String name;
    private final boolean sde;
    private final StepHistory history;
    private NDArray previousX0;

    public DpmSolverSampler(SchedulerConfig config, int n, boolean karras, boolean sde) {
        this.steps = new DpmSolverSteps(config, n, karras, sde);
        this.timesteps = Arrays.stream(steps.timesteps()).asDoubleStream().toArray();
        this.name = "dpmpp-2m" + (sde ? "-sde" : "") + (karras ? "-karras" : "");
        this.sde = sde;
        this.history = new StepHistory(name, timesteps.length);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean needsNoise() {
        return sde;
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    public double[] sigmas() {
        return steps.sigmas();
    }

    @Override
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NDArray noise) {
        NDManager memory = history.begin(stepIndex, sample);
        if (sde && noise == null) {
            throw new IllegalArgumentException(name + " needs a unit Gaussian noise tensor at every step");
        }
        DpmSolverSteps.Step s = steps.step(stepIndex);
        NDArray[] x0 = new NDArray[1];
        NDArray prev = Tensors.scoped(sample, () -> {
            x0[0] = Tensors.combine(s.x0(), sample, modelOutput);
            NDArray out = Tensors.combine(s.prev(), sample, modelOutput);
            if (s.usesPreviousX0()) {
                out = out.add(previousX0.mul(scalar(previousX0, s.previousX0Weight())));
            }
            if (sde) {
                out = out.add(noise.toType(out.getDataType(), false).mul(s.noise()));
            }
            x0[0].attach(memory);
            return out;
        }, sample, modelOutput, previousX0, sde ? noise : null);
        if (previousX0 != null) {
            previousX0.close();
        }
        previousX0 = x0[0];
        history.end();
        return prev;
    }

    @Override
    public void close() {
        history.close();
        previousX0 = null;
    }
}
