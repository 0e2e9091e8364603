package org.sdspark.model.train.collective;

/**
 * A collective operation could not complete: a peer is gone, hung past the timeout, aborted the
 * run, or sent something this rank did not expect. The message names the peer (rank and address)
 * and the operation, so a failed distributed run points at the process that caused it.
 */
public class CollectiveException extends RuntimeException {

    public CollectiveException(String message) {
        super(message);
    }

    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
