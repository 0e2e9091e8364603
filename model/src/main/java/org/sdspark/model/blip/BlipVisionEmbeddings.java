package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.sdspark.model.nn.Conv2d;
import org.sdspark.model.nn.Weights;

/** Non-overlapping patch projection, a learned class token in front, learned positions added. */
record BlipVisionEmbeddings(NDArray classEmbedding, Conv2d patchEmbedding, NDArray positionEmbedding) {

    static BlipVisionEmbeddings load(Weights w, BlipVisionConfig c) {
        long d = c.hiddenSize();
        return new BlipVisionEmbeddings(
                w.get("class_embedding", 1, 1, d),
                Conv2d.load(w.at("patch_embedding"), 3, d, c.patchSize(), c.patchSize(), 0),
                w.get("position_embedding", 1, c.numPositions(), d));
    }

    /** (B, 3, H, W) pixels to (B, 1 + patches, D). */
    NDArray forward(NDArray pixels) {
        long batch = pixels.getShape().get(0);
        NDArray patches = patchEmbedding.forward(pixels);
        NDArray tokens = patches.reshape(batch, patches.getShape().get(1), -1).transpose(0, 2, 1);
        NDArray cls = classEmbedding.broadcast(batch, 1, classEmbedding.getShape().get(2));
        // a result belongs to its first operand's manager: in the weights' one, every activation after it would stay
        // until the model is closed
        cls.attach(tokens.getManager());
        return NDArrays.concat(new NDList(cls, tokens), 1).add(positionEmbedding);
    }
}
