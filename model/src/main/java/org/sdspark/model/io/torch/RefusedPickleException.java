package org.sdspark.model.io.torch;

import java.nio.file.Path;

/**
 * A checkpoint whose pickle asks for something other than rebuilding tensors and containers (a
 * function such as {@code os.system}, a pickled class instance, an unknown opcode). Nothing it
 * names was ever run: the unpickler stops at the first such request.
 */
public final class RefusedPickleException extends TorchCheckpointException {
    public RefusedPickleException(Path file, String problem) {
        super(file, problem);
    }
}
