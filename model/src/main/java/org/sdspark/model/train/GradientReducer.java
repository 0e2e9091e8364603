package org.sdspark.model.train;

/**
 * Gradients averaged across ranks while backward is still running, as PyTorch DDP's reducer does:
 * each trained parameter's gradient goes into the flat buffer as autograd produces it, and a
 * bucket of the buffer is all-reduced as soon as all of its parameters have reported, overlapping
 * communication with the rest of backward. Collectives that cannot do this all-reduce the buffer
 * after backward instead ({@link Collective#allReduceMean}).
 */
public interface GradientReducer extends AutoCloseable {

    /**
     * Before each micro-batch's backward: with {@code last}, buckets are reduced as they complete;
     * earlier micro-batches of an accumulated step only add their gradients to the buffer.
     */
    void beforeBackward(boolean last);

    /**
     * After the step's last backward: reduces what is left, waits, and leaves the mean gradient of
     * every rank in the flat buffer (zero for parameters backward never reached); the parameters'
     * own gradients are released.
     */
    void finish();

    @Override
    void close();
}
