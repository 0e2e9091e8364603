package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;
import org.sdspark.model.train.optim.Ema;
import org.sdspark.model.train.optim.GradientClipping;
import org.sdspark.model.train.optim.LearningRateSchedule;
import org.sdspark.model.train.optim.LossScaler;
import org.sdspark.model.train.optim.Optimizer;
import org.sdspark.model.train.optim.Segment;

/**
 * What happens once per optimizer step after the micro-batches' backward passes: copy the
 * gradients into the flat buffer and all-reduce them once (or finish the {@link GradientReducer}
 * that did both during backward), unscale and skip the step if any is not
 * finite (fp16), clip to the global norm, step the optimizer on the fp32 masters at the scheduled
 * rate, copy the masters into the model's tensors, update the EMA, zero the gradients. The flat
 * gradient buffer lives as long as the update, so a step allocates nothing of the model's size.
 */
public final class ParameterUpdate implements AutoCloseable {
    private final FlatParameters parameters;
    private final NDManager manager;
    private final NDArray master;
    private final NDArray gradients;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final List<Rate> rates;
    private final double maxGradNorm;
    private final LossScaler scaler;
    private final Ema ema;
    private final Collective collective;
    private final GradientReducer reducer;
    private long applied;

    /** The base rate and weight decay of the flat range [from, to) (one per trained component). */
    public record Rate(long from, long to, double lr, double weightDecay) {
    }

    /** One step's numbers for metrics. */
    public record Outcome(boolean applied, double gradNorm, double lr, double lossScale) {
    }

    /** An update whose micro-batches run eagerly. */
    public ParameterUpdate(FlatParameters parameters, NDManager parent, OptimizerFactory optimizer,
                           LearningRateSchedule schedule, List<Rate> rates, double maxGradNorm, LossScaler scaler,
                           EmaFactory ema, Collective collective) {
        this(parameters, parent, optimizer, schedule, rates, maxGradNorm, scaler, ema, collective, false);
    }

    /**
     * {@code optimizer} is built over {@code parameters.layout().length()} elements; {@code scaler}
     * is null for fp32 training, {@code ema} null without EMA (its shadow starts from the weights).
     * With {@code recorded}, micro-batches run through {@link #backward(MicroBatchGraphs, NDList, int, int)}
     * only (CUDA graphs; several ranks all-reduce the gradients after backward).
     */
    public ParameterUpdate(FlatParameters parameters, NDManager parent, OptimizerFactory optimizer,
                           LearningRateSchedule schedule, List<Rate> rates, double maxGradNorm, LossScaler scaler,
                           EmaFactory ema, Collective collective, boolean recorded) {
        this.parameters = parameters;
        this.manager = parent.newSubManager();
        this.master = parameters.values(manager);
        this.gradients = manager.zeros(master.getShape(), master.getDataType());
        collective.broadcast(master, 0); // every rank starts from rank 0's weights
        parameters.assign(master);
        this.optimizer = optimizer.create(manager, parameters.layout().length());
        this.schedule = schedule;
        this.rates = List.copyOf(rates);
        this.maxGradNorm = maxGradNorm;
        this.scaler = scaler;
        this.ema = ema == null ? null : ema.create(master);
        this.collective = collective;
        this.reducer = recorded ? new RecordedGradientGather(parameters, gradients, collective)
                : collective.gradientReducer(parameters, gradients);
    }

    /** Builds the optimizer over a flat buffer of {@code length} elements. */
    @FunctionalInterface
    public interface OptimizerFactory {
        Optimizer create(NDManager manager, long length);
    }

    /** Builds the EMA from the initial weights. */
    @FunctionalInterface
    public interface EmaFactory {
        Ema create(NDArray initial);
    }

    /**
     * Backward of micro-batch {@code microBatch} of the step's {@code count}: the loss gradient is
     * seeded with loss scale / count, and gradients accumulate until {@link #apply}.
     */
    public void backward(NDArray loss, int microBatch, int count) {
        if (reducer != null) {
            reducer.beforeBackward(microBatch == count - 1);
        }
        Autograd.backward(loss, seed(count));
    }

    /** As {@link #backward(NDArray, int, int)} for the loss of {@code inputs}, replayed by {@code graphs}; returns the loss. */
    public float backward(MicroBatchGraphs graphs, NDList inputs, int microBatch, int count) {
        reducer.beforeBackward(microBatch == count - 1);
        return graphs.backward(inputs, seed(count), microBatch == 0);
    }

    private double seed(int count) {
        return (scaler == null ? 1 : scaler.scale()) / count;
    }

    public Outcome apply() {
        double lossScale = scaler == null ? 1 : scaler.scale();
        if (reducer != null) {
            reducer.finish();
        } else {
            parameters.copyGradients(gradients);
            parameters.zeroGradients();
            collective.allReduceMean(gradients);
        }
        if (lossScale != 1) {
            gradients.muli(1 / lossScale);
        }
        double norm = GradientClipping.norm(gradients);
        // One infinite or NaN element makes the norm so, and an fp32 norm of fp16 gradients
        // (each at most 65504) cannot overflow: the check torch's GradScaler makes, without a mask.
        boolean finite = scaler == null || Double.isFinite(norm);
        double lr = schedule.lr() * schedule.factor(applied);
        if (scaler != null && !scaler.update(finite)) {
            updateEma();
            return new Outcome(false, Double.NaN, lr, lossScale);
        }
        GradientClipping.clip(gradients, norm, maxGradNorm);
        applied++;
        optimizer.step(master, gradients, segments(), applied);
        parameters.assign(master);
        updateEma();
        return new Outcome(true, norm, lr, lossScale);
    }

    private void updateEma() {
        if (ema != null) {
            ema.update(master);
        }
    }

    private List<Segment> segments() {
        double factor = schedule.factor(applied - 1);
        List<Segment> out = new ArrayList<>(rates.size());
        for (Rate r : rates) {
            out.add(new Segment(r.from(), r.to(), r.lr() * factor, r.weightDecay()));
        }
        return out;
    }

    public FlatParameters parameters() {
        return parameters;
    }

    public NDArray master() {
        return master;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Ema ema() {
        return ema;
    }

    public LossScaler scaler() {
        return scaler;
    }

    /** Optimizer updates applied so far (skipped steps excluded). */
    public long appliedSteps() {
        return applied;
    }

    /** Continues a run from a checkpoint: masters are assigned to the model as well. */
    public void restore(NDArray savedMaster, long savedApplied) {
        master.set(new NDIndex("..."), savedMaster);
        parameters.assign(master);
        applied = savedApplied;
    }

    @Override
    public void close() {
        if (reducer != null) {
            reducer.close();
        }
        optimizer.close();
        if (ema != null) {
            ema.close();
        }
        manager.close();
    }
}
