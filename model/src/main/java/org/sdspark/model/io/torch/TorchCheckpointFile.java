package org.sdspark.model.io.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdspark.model.io.TensorFile;
import org.sdspark.model.io.TensorInfo;

/**
 * A PyTorch checkpoint ({@code .ckpt}, {@code .pt}, {@code .bin}) as {@code torch.save} writes it,
 * in either format: the zip archive (the default since PyTorch 1.6) or the legacy one (a sequence
 * of pickles followed by the raw storages). The pickle is read by sdspark's restricted {@link
 * Unpickler}; storages are byte ranges of the file, memory-mapped one tensor at a time, so a
 * 4–8 GB checkpoint costs only the tensors actually asked for.
 *
 * <p>The tensors are those of the state dict: the top-level dict, or its {@code state_dict}
 * entry (repeatedly, as diffusers unwraps Lightning checkpoints). Other values (epoch, optimizer
 * state, callbacks) are read past and ignored.
 */
public final class TorchCheckpointFile implements TensorFile {
    private final Path path;
    private final FileChannel channel;
    private final Map<String, TorchTensor> tensors;
    private final Map<String, TensorInfo> infos;
    private final TorchArchive archive;

    private TorchCheckpointFile(Path path, FileChannel channel, TorchArchive archive) throws IOException {
        this.path = path;
        this.channel = channel;
        this.archive = archive;
        this.tensors = stateDict(archive.root(), path);
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (Map.Entry<String, TorchTensor> e : tensors.entrySet()) {
            infos.put(e.getKey(), info(e.getKey(), e.getValue()));
        }
        this.infos = Collections.unmodifiableMap(infos);
    }

    /** A zip archive or a pickle stream (protocol 2+ starts with the PROTO opcode); safetensors starts with neither. */
    public static boolean isTorchCheckpoint(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return ZipDirectory.isZip(channel) || LegacyArchive.isLegacy(channel);
        }
    }

    public static TorchCheckpointFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            TorchArchive archive = ZipDirectory.isZip(channel) ? ZipArchive.read(channel, path) : LegacyArchive.read(channel, path);
            return new TorchCheckpointFile(path, channel, archive);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Map<String, TorchTensor> stateDict(Object root, Path file) throws TorchCheckpointException {
        Object dict = root;
        while (dict instanceof Map<?, ?> m && m.get("state_dict") instanceof Map<?, ?> inner) {
            dict = inner;
        }
        if (!(dict instanceof Map<?, ?> map)) {
            throw new TorchCheckpointException(file, "holds " + Unpickler.typeName(dict) + ", not a dict of tensors");
        }
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k instanceof String key && v instanceof TorchTensor t) {
                out.put(key, t);
            }
        });
        if (out.isEmpty()) {
            List<String> keys = map.keySet().stream().map(String::valueOf).limit(10).toList();
            throw new TorchCheckpointException(file, "holds no tensors (its dict has keys " + keys + ")");
        }
        return Collections.unmodifiableMap(out);
    }

    private TensorInfo info(String name, TorchTensor t) throws TorchCheckpointException {
        int size = t.storage().dtype().bytes();
        long first = t.storage().elementOffset() + t.offset();
        long end = t.storage().elementOffset() + t.endElement();
        long available = archive.storageBytes(t.storage().key()) / size;
        if (end > available) {
            throw new TorchCheckpointException(path, "tensor '" + name + "' " + t.shapeString() + " reaches element " + end
                    + " of a storage of " + available + " (truncated or corrupt?)");
        }
        long start = archive.storageStart(t.storage().key());
        return new TensorInfo(name, t.storage().dtype(), t.shape().clone(), start + first * size, start + end * size);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Map<String, TensorInfo> tensors() {
        return infos;
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }

    @Override
    public ByteBuffer data(String name) throws IOException {
        TorchTensor t = tensors.get(name);
        if (t == null) {
            throw new TorchCheckpointException(path, "no tensor named '" + name + "'");
        }
        TensorInfo info = infos.get(name);
        int size = info.dtype().bytes();
        long bytes = t.elementCount() * size;
        if (bytes > Integer.MAX_VALUE) {
            throw new TorchCheckpointException(path, "tensor '" + name + "' is over 2 GiB");
        }
        if (bytes == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer span = channel.map(FileChannel.MapMode.READ_ONLY, info.begin(), info.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
        return t.isContiguous() ? span : gather(t, span, size, (int) bytes);
    }

    /** A strided view (e.g. a saved transpose) copied element by element into row-major order. */
    private static ByteBuffer gather(TorchTensor t, ByteBuffer span, int size, int bytes) {
        ByteBuffer out = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long[] shape = t.shape();
        long[] index = new long[shape.length];
        byte[] element = new byte[size];
        for (long n = t.elementCount(); n > 0; n--) {
            long at = 0;
            for (int i = 0; i < shape.length; i++) {
                at += index[i] * t.stride()[i];
            }
            span.get(Math.toIntExact(at * size), element);
            out.put(element);
            for (int i = shape.length - 1; i >= 0 && ++index[i] == shape[i]; i--) {
                index[i] = 0;
            }
        }
        return out.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
