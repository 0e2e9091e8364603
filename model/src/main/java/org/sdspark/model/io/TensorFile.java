package org.sdspark.model.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sdspark.model.io.torch.TorchCheckpointFile;

/**
 * A file of named tensors opened for reading: a safetensors file, or a PyTorch pickle ({@code
 * .ckpt}, {@code .pt}, {@code .bin}) read by sdspark's restricted unpickler. Tensors are listed up
 * front and their bytes read one tensor at a time on request.
 */
public interface TensorFile extends Closeable {

    /**
     * Opens {@code path} as what its first bytes say it is: a torch.save zip archive or pickle, else
     * safetensors. A file named as a pickle that is neither gets the pickle reader's error.
     */
    static TensorFile open(Path path) throws IOException {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean pickleName = PICKLE_EXTENSIONS.stream().anyMatch(name::endsWith);
        return TorchCheckpointFile.isTorchCheckpoint(path) || pickleName ? TorchCheckpointFile.open(path)
                : SafeTensorsFile.open(path);
    }

    /** What PyTorch checkpoints are called: Lightning's .ckpt, torch's .pt/.pth, the Hub's .bin. */
    List<String> PICKLE_EXTENSIONS = List.of(".ckpt", ".pt", ".pth", ".bin");

    Path path();

    /** Tensors in file order. */
    Map<String, TensorInfo> tensors();

    /** String metadata (safetensors' {@code __metadata__}; none for pickles). */
    Map<String, String> metadata();

    /** The tensor's elements, little-endian, in row-major order (memory-mapped where they lie contiguously). */
    ByteBuffer data(String name) throws IOException;
}
