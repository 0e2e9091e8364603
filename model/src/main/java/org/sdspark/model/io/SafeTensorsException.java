package org.sdspark.model.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that cannot be read as such; the message always names the file. */
public final class SafeTensorsException extends IOException {
    public SafeTensorsException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public SafeTensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
