package org.sdspark.model.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;

/**
 * UniPC, stepping by {@link UniPcSteps}. It keeps the last corrected sample and the last two x0
 * predictions, so steps must be taken in order and the sampler closed after the run.
 */
public final class UniPcSampler implements Sampler {
    private final UniPcSteps steps;
    private final double[] timesteps;
    private final String name;
    private final StepHistory history;
    private NDArray lastSample;
    private NDArray previousX0;
    private NDArray beforePreviousX0;

    public UniPcSampler(SchedulerConfig config, int n, boolean karras) {
        this.steps = new UniPcSteps(config, n, karras);
        this.timesteps = Arrays.stream(steps.timesteps()).asDoubleStream().toArray();
        this.name = "unipc" + (karras ? "-karras" : "");
        this.history = new StepHistory(name, timesteps.length);
    }

    @Override
    public String name() {
        return name;
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
        NDArray[] kept = new NDArray[2];
        NDArray next = Tensors.scoped(sample, () -> {
            NDArray x0 = Tensors.combine(steps.x0(stepIndex), sample, modelOutput);
            NDArray corrected = stepIndex == 0 ? Tensors.atLeastFloat32(sample).duplicate()
                    : correct(steps.corrector(stepIndex), x0);
            UniPcSteps.Predictor p = steps.predictor(stepIndex);
            NDArray out = corrected.mul(p.sample()).add(x0.mul(p.x0Now()));
            if (p.x0Previous() != 0) {
                out = out.add(previousX0.mul(p.x0Previous()));
            }
            kept[0] = corrected;
            kept[1] = x0;
            corrected.attach(memory);
            x0.attach(memory);
            return out;
        }, sample, modelOutput, lastSample, previousX0, beforePreviousX0);
        for (NDArray old : new NDArray[] {lastSample, beforePreviousX0}) {
            if (old != null) {
                old.close();
            }
        }
        lastSample = kept[0];
        beforePreviousX0 = previousX0;
        previousX0 = kept[1];
        history.end();
        return next;
    }

    private NDArray correct(UniPcSteps.Corrector c, NDArray x0) {
        NDArray out = lastSample.mul(c.lastSample()).add(x0.mul(c.x0Now())).add(previousX0.mul(c.x0Previous()));
        return c.x0BeforePrevious() == 0 ? out : out.add(beforePreviousX0.mul(c.x0BeforePrevious()));
    }

    @Override
    public void close() {
        history.close();
        lastSample = null;
        previousX0 = null;
        beforePreviousX0 = null;
    }
}
