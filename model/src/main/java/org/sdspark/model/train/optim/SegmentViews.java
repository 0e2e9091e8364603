package org.sdspark.model.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/** The optimizers' views of their flat buffers over one segment's range. */
final class SegmentViews {
    private SegmentViews() {
    }

    static NDIndex range(long from, long to) {
        return new NDIndex().addSliceDim(from, to);
    }

    /**
     * flat[from, to) as a view owned by {@code scope}: each slice is a new handle, which must belong
     * to the step's scope rather than pile up in the buffer's own manager.
     */
    static NDArray of(NDArray flat, long from, long to, NDManager scope) {
        NDArray view = flat.get(range(from, to));
        view.attach(scope);
        return view;
    }

    static NDArray of(NDArray flat, Segment s, NDManager scope) {
        return of(flat, s.from(), s.to(), scope);
    }
}
