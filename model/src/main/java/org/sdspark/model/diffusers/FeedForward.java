package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.sdspark.model.nn.Activations;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Weights;

/**
 * The transformer block's feed-forward with a GEGLU input ({@code net.0.proj} makes a value half
 * and a gate half; value * gelu(gate)), then {@code net.2} back to the model width.
 */
public record FeedForward(Linear gegluProj, Linear out) {

    public static FeedForward load(Weights w, long dim, long inner) {
        return new FeedForward(Linear.load(w.at("net", 0).at("proj"), dim, inner * 2), Linear.load(w.at("net", 2), inner, dim));
    }

    public NDArray forward(NDArray x) {
        NDList valueAndGate = gegluProj.forward(x).split(2, x.getShape().dimension() - 1);
        return out.forward(valueAndGate.get(0).mul(Activations.gelu(valueAndGate.get(1))));
    }
}
