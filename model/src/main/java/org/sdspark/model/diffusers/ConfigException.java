package org.sdspark.model.diffusers;

/** A component's config.json that cannot be used; the message names the file and the key. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
