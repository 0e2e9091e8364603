package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/** A transformer's two-layer MLP ({@code fc1}, activation, {@code fc2}), as CLIP and BLIP's ViT name it. */
public record Mlp(Linear fc1, UnaryOperator<NDArray> activation, Linear fc2) {

    /** {@code act} is the config's {@code hidden_act} name. */
    public static Mlp load(Weights w, long dim, long hidden, String act) {
        return new Mlp(Linear.load(w.at("fc1"), dim, hidden), Activations.byName(act), Linear.load(w.at("fc2"), hidden, dim));
    }

    public NDArray forward(NDArray x) {
        return fc2.forward(activation.apply(fc1.forward(x)));
    }
}
