package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Weights;

/** The MLP that lifts sinusoidal timestep features to the time embedding: linear_1, act, linear_2. */
public record TimestepEmbedding(Linear linear1, Linear linear2, UnaryOperator<NDArray> act) {

    public static TimestepEmbedding load(Weights w, long in, long dim, UnaryOperator<NDArray> act) {
        return new TimestepEmbedding(Linear.load(w.at("linear_1"), in, dim), Linear.load(w.at("linear_2"), dim, dim), act);
    }

    public NDArray forward(NDArray features) {
        return linear2.forward(act.apply(linear1.forward(features)));
    }
}
