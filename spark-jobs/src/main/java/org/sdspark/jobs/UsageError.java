package org.sdspark.jobs;

/** Bad command line or configuration: reported as one message, without a stack trace. */
public class UsageError extends RuntimeException {

    public UsageError(String message) {
        super(message);
    }

    public UsageError(String message, Throwable cause) {
        super(message, cause);
    }
}
