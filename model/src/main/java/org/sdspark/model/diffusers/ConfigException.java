package org.sdspark.model.diffusers;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import java.io.IOException;

/**
 * A component's config file (config.json, the tokenizer's files) that cannot be used; the message
 * is one line naming the file and the key.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    /** {@code file} does not parse as JSON: the parser's complaint and position, without its source excerpt. */
    public static ConfigException notJson(Object file, IOException e) {
        String detail = e.getMessage();
        if (e instanceof JacksonException j) {
            JsonLocation at = j.getLocation();
            detail = j.getOriginalMessage() + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
        }
        return new ConfigException(file + ": not valid JSON: " + String.valueOf(detail).replaceAll("\\s*\\R\\s*", " "));
    }
}
