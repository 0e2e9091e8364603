package org.sdspark.model.scheduler;

/** A scheduler_config.json that cannot be used; the message names the file and the key. */
public final class SchedulerConfigException extends RuntimeException {
    public SchedulerConfigException(String message) {
        super(message);
    }

    public SchedulerConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
