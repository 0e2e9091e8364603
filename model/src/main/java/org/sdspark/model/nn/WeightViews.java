package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * Reshaped views of long-lived weights for one forward pass. DJL creates a view in the weight's
 * manager; it is moved to the input's, so a forward pass run in a sub-manager leaves nothing
 * behind in the weights' manager.
 */
final class WeightViews {
    private WeightViews() {
    }

    static NDArray reshaped(NDArray weight, NDArray input, long... shape) {
        NDArray view = weight.reshape(shape);
        view.attach(input.getManager());
        return view;
    }
}
