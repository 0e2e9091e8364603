package org.sdspark.model.io.torch;

import java.io.IOException;
import java.nio.file.Path;

/** A PyTorch pickle checkpoint that cannot be read; the message always names the file. */
public class TorchCheckpointException extends IOException {
    public TorchCheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
