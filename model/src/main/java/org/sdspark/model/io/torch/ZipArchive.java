package org.sdspark.model.io.torch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.sdspark.model.io.torch.PickleGlobals.StorageType;

/**
 * torch.save's zip format: {@code <archive>/data.pkl} (the object, storages as persistent ids
 * {@code ('storage', torch.FloatStorage, key, location, numel)}) and one stored record
 * {@code <archive>/data/<key>} of raw little-endian bytes per storage.
 */
record ZipArchive(Object root, Map<String, ZipDirectory.Entry> entries, String prefix) implements TorchArchive {

    static ZipArchive read(FileChannel channel, Path file) throws IOException {
        Map<String, ZipDirectory.Entry> entries = ZipDirectory.read(channel, file);
        ZipDirectory.Entry pickle = entries.values().stream()
                .filter(e -> e.name().equals("data.pkl") || e.name().endsWith("/data.pkl")).findFirst()
                .orElseThrow(() -> new TorchCheckpointException(file, "a zip archive without data.pkl: not a torch.save checkpoint"));
        String prefix = pickle.name().substring(0, pickle.name().length() - "data.pkl".length());
        ZipDirectory.Entry byteOrder = entries.get(prefix + "byteorder");
        if (byteOrder != null && !new String(bytes(channel, byteOrder, file), StandardCharsets.US_ASCII).equals("little")) {
            throw new TorchCheckpointException(file, "was saved on a big-endian machine; only little-endian checkpoints are read");
        }
        Object root = Unpickler.load(new ByteArrayInputStream(bytes(channel, pickle, file)), file,
                id -> storage(id, entries, prefix, file));
        return new ZipArchive(root, entries, prefix);
    }

    private static TorchStorage storage(Object id, Map<String, ZipDirectory.Entry> entries, String prefix, Path file)
            throws TorchCheckpointException {
        if (!(id instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof StorageType type) || !(t.get(2) instanceof String key) || !(t.get(4) instanceof Long numel)) {
            throw new TorchCheckpointException(file, "persistent id " + id + " is not ('storage', type, key, location, numel)");
        }
        ZipDirectory.Entry data = entries.get(prefix + "data/" + key);
        if (data == null) {
            throw new TorchCheckpointException(file, "storage " + key + " has no record " + prefix + "data/" + key);
        }
        if (data.size() < numel * type.dtype().bytes()) {
            throw new TorchCheckpointException(file, "storage " + key + " holds " + data.size() + " bytes, its pickle says "
                    + numel + " " + type.name() + " elements");
        }
        return new TorchStorage(key, type.dtype(), 0);
    }

    private static byte[] bytes(FileChannel channel, ZipDirectory.Entry entry, Path file) throws IOException {
        if (entry.size() > Integer.MAX_VALUE) {
            throw new TorchCheckpointException(file, entry.name() + " is over 2 GiB");
        }
        ByteBuffer b = ByteBuffer.allocate((int) entry.size());
        while (b.hasRemaining() && channel.read(b, entry.dataStart() + b.position()) >= 0) {
            // the entry's range was checked against the file size
        }
        return b.array();
    }

    @Override
    public long storageStart(String key) {
        return entries.get(prefix + "data/" + key).dataStart();
    }

    @Override
    public long storageBytes(String key) {
        return entries.get(prefix + "data/" + key).size();
    }
}
