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

    public boolean has(String name) {
        return dict.contains(key(name));
    }

    public String key(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
