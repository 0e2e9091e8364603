package org.sdspark.model.nn;

/** A checkpoint that does not fit the model it is loaded into; the message lists every problem. */
public final class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message);
    }
}
