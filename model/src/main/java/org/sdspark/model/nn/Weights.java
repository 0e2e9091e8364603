package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * A view of a {@link StateDict} under a module path, e.g. {@code down_blocks.0.resnets.1}: modules
 * ask for their own parameter names and the view prefixes them, so parameter names are module
 * paths exactly as in the checkpoint.
 */
public final class Weights {
    private final StateDict dict;
    private final String prefix;

    Weights(StateDict dict, String prefix) {
        this.dict = dict;
        this.prefix = prefix;
    }

    public Weights at(String path) {
        return new Weights(dict, key(path));
    }

    public Weights at(String path, int index) {
        return at(path + "." + index);
    }

    /** The tensor named {@code name} under this view; records a problem if missing or of another shape. */
    public NDArray get(String name, long... expectedShape) {
        return dict.lookup(key(name), expectedShape.length == 0 ? null : expectedShape);
    }

    /** The LoRA branch of the linear layer at this path (rank × in, out × rank), or null. */
    LowRank lowRankLinear(long in, long out) {
        return dict.lowRank(prefix, new long[] {0, in}, new long[] {out, 0});
    }

    /** The LoCon branch of the convolution at this path (rank × in × k × k, out × rank × 1 × 1), or null. */
    LowRank lowRankConv(long in, long out, int kernel) {
        return dict.lowRank(prefix, new long[] {0, in, kernel, kernel}, new long[] {out, 0, 1, 1});
    }

    public boolean has(String name) {
        return dict.contains(key(name));
    }

    public String key(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
