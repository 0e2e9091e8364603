package org.sdspark.model.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * diffusers' {@code EMAModel} over the flat buffer: after each optimizer step the shadow moves
 * toward the weights, s ← s − (1 − d)·(s − w), with d from {@link EmaDecay} at its update count.
 * Its weights are what a full fine-tune exports as the EMA model.
 */
public final class Ema implements AutoCloseable {
    private static final long CHUNK = 1L << 24;
    private final EmaDecay decay;
    private final NDManager manager;
    private final NDArray shadow;
    private long updates;
    private double lastDecay;

    public Ema(EmaDecay decay, NDArray initial) {
        this.decay = decay;
        this.manager = initial.getManager().newSubManager();
        this.shadow = initial.duplicate();
        shadow.attach(manager);
    }

    public void update(NDArray weights) {
        updates++;
        lastDecay = decay.at(updates);
        long length = shadow.size();
        // chunk by chunk (views of both buffers): the whole difference would be a model-sized transient
        for (long from = 0; from < length; from += CHUNK) {
            NDIndex range = SegmentViews.range(from, Math.min(length, from + CHUNK));
            try (NDArray part = shadow.get(range); NDArray w = weights.get(range); NDArray diff = part.sub(w)) {
                part.subi(diff.muli(1 - lastDecay));
            }
        }
    }

    public NDArray shadow() {
        return shadow;
    }

    public long updates() {
        return updates;
    }

    public double lastDecay() {
        return lastDecay;
    }

    /** Continues a run: the shadow and update count a checkpoint kept. */
    public void restore(NDArray savedShadow, long savedUpdates) {
        shadow.set(new NDIndex("..."), savedShadow);
        updates = savedUpdates;
    }

    @Override
    public void close() {
        manager.close();
    }
}
