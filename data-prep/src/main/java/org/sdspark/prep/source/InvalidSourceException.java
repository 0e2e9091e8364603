package org.sdspark.prep.source;

import java.io.IOException;

/** Input that cannot be planned, e.g. a malformed metadata row; the message names file and line. */
public final class InvalidSourceException extends IOException {
    public InvalidSourceException(String message) {
        super(message);
    }
}
