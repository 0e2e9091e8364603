package org.sdspark.model.clip;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;
import org.sdspark.model.nn.Activations;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Weights;

/** fc1, activation (quick_gelu for OpenAI CLIP, gelu for OpenCLIP), fc2. */
record ClipMlp(Linear fc1, UnaryOperator<NDArray> activation, Linear fc2) {

    static ClipMlp load(Weights w, ClipTextConfig c) {
        return new ClipMlp(
                Linear.load(w.at("fc1"), c.hiddenSize(), c.intermediateSize()),
                Activations.byName(c.hiddenAct()),
                Linear.load(w.at("fc2"), c.intermediateSize(), c.hiddenSize()));
    }

    NDArray forward(NDArray x) {
        return fc2.forward(activation.apply(fc1.forward(x)));
    }
}
