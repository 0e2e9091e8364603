package org.sdspark.model.io.torch;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdspark.model.io.DType;
import org.sdspark.model.io.torch.PickleGlobals.StorageType;

/**
 * torch.save's legacy format ({@code _use_new_zipfile_serialization=False}, and every checkpoint
 * before PyTorch 1.6): five pickles in a row (a magic number, the protocol version 1001, system
 * info, the object with storages as {@code ('storage', type, key, location, numel, view)}, the
 * storage keys in file order), then per key an 8-byte element count and the raw bytes.
 */
record LegacyArchive(Object root, Map<String, Long> starts, Map<String, Long> sizes) implements TorchArchive {
    private static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    /** How LONG1 stores MAGIC. */
    private static final byte[] MAGIC_LITTLE_ENDIAN = {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
        (byte) 0xa8, 0x50, 0x19};
    private static final long PROTOCOL_VERSION = 1001;
    private static final int PROTO_OPCODE = 0x80;

    /** Root storages as the pickle declared them: element type and count. */
    private record Root(DType dtype, long numel) {
    }

    /**
     * The first pickle holds torch's magic number: PROTO, then (after a FRAME at protocol 4+) the
     * number's ten little-endian bytes. A safetensors file can start with 0x80 too (its header length).
     */
    static boolean isLegacy(FileChannel channel) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(32);
        channel.read(head, 0);
        byte[] b = Arrays.copyOf(head.array(), head.position());
        if (b.length == 0 || (b[0] & 0xff) != PROTO_OPCODE) {
            return false;
        }
        for (int i = 1; i + MAGIC_LITTLE_ENDIAN.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + MAGIC_LITTLE_ENDIAN.length, MAGIC_LITTLE_ENDIAN, 0, MAGIC_LITTLE_ENDIAN.length)) {
                return true;
            }
        }
        return false;
    }

    static LegacyArchive read(FileChannel channel, Path file) throws IOException {
        ByteBuffer first = ByteBuffer.allocate(1);
        if (channel.read(first, 0) != 1 || (first.get(0) & 0xff) != PROTO_OPCODE) {
            throw new TorchCheckpointException(file, "neither a zip archive nor a pickle: not a PyTorch checkpoint");
        }
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel.position(0)), 1 << 16);
        Unpickler.PersistentLoader none = id -> {
            throw new TorchCheckpointException(file, "a storage inside the legacy header");
        };
        Unpickler.Loaded magic = Unpickler.loadAt(in, 0, file, none);
        if (!MAGIC.equals(magic.value())) {
            throw new TorchCheckpointException(file, "a pickle, but not a torch.save checkpoint (no torch magic number)");
        }
        Unpickler.Loaded version = Unpickler.loadAt(in, magic.end(), file, none);
        if (!Long.valueOf(PROTOCOL_VERSION).equals(version.value())) {
            throw new TorchCheckpointException(file, "legacy torch protocol version " + version.value() + ", expected 1001");
        }
        Unpickler.Loaded sysInfo = Unpickler.loadAt(in, version.end(), file, none);
        if (sysInfo.value() instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new TorchCheckpointException(file, "was saved on a big-endian machine; only little-endian checkpoints are read");
        }
        Map<String, Root> roots = new HashMap<>();
        Unpickler.Loaded main = Unpickler.loadAt(in, sysInfo.end(), file, id -> storage(id, roots, file));
        Unpickler.Loaded keys = Unpickler.loadAt(in, main.end(), file, none);
        if (!(keys.value() instanceof List<?> order)) {
            throw new TorchCheckpointException(file, "the storage key list after the object is missing");
        }
        Map<String, Long> starts = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        long at = keys.end();
        ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (Object k : order) {
            Root root = roots.get(String.valueOf(k));
            if (root == null) {
                throw new TorchCheckpointException(file, "storage " + k + " is listed but never used");
            }
            count.clear();
            if (channel.read(count, at) != 8 || count.getLong(0) != root.numel()) {
                throw new TorchCheckpointException(file, "storage " + k + " at byte " + at + " does not hold its "
                        + root.numel() + " elements (truncated?)");
            }
            long bytes = root.numel() * root.dtype().bytes();
            starts.put(String.valueOf(k), at + 8);
            sizes.put(String.valueOf(k), bytes);
            at += 8 + bytes;
            if (at > channel.size()) {
                throw new TorchCheckpointException(file, "storage " + k + " ends at byte " + at + " but the file has "
                        + channel.size() + " (truncated?)");
            }
        }
        if (!starts.keySet().containsAll(roots.keySet())) {
            throw new TorchCheckpointException(file, "storages used but not stored: some of " + roots.keySet());
        }
        return new LegacyArchive(main.value(), starts, sizes);
    }

    private static TorchStorage storage(Object id, Map<String, Root> roots, Path file) throws TorchCheckpointException {
        if (!(id instanceof List<?> t) || t.size() != 6 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof StorageType type) || !(t.get(2) instanceof String key) || !(t.get(4) instanceof Long numel)) {
            throw new TorchCheckpointException(file, "persistent id " + id + " is not ('storage', type, key, location, numel, view)");
        }
        Root known = roots.putIfAbsent(key, new Root(type.dtype(), numel));
        if (known != null && known.dtype() != type.dtype()) {
            throw new TorchCheckpointException(file, "storage " + key + " is read both as " + known.dtype() + " and " + type.dtype());
        }
        // A view (key, offset, size) of an older file's storage starts `offset` elements into its root.
        if (t.get(5) instanceof List<?> view && view.size() == 3 && view.get(1) instanceof Long offset) {
            return new TorchStorage(key, type.dtype(), offset);
        }
        return new TorchStorage(key, type.dtype(), 0);
    }

    @Override
    public long storageStart(String key) {
        return starts.get(key);
    }

    @Override
    public long storageBytes(String key) {
        return sizes.get(key);
    }
}
