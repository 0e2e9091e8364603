package org.sdspark.model.io.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each record of a zip archive's lies in the file, read from the central directory (ZIP64
 * too: real checkpoints are 2 to 8 GB). torch.save stores records uncompressed, so a record is a
 * byte range of the file that can be memory-mapped; java.util.zip gives no access to that.
 */
final class ZipDirectory {
    private static final int END = 0x06054b50;
    private static final int END64 = 0x06064b50;
    private static final int END64_LOCATOR = 0x07064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final long MASK32 = 0xffffffffL;

    /** A stored record: its data start in the file and its length. */
    record Entry(String name, long dataStart, long size) {
    }

    private ZipDirectory() {
    }

    /** A local file header first; a safetensors file with that header length would have its JSON at byte 8. */
    static boolean isZip(FileChannel channel) throws IOException {
        return channel.size() >= 30 && read(channel, null, 0, 4).getInt() == LOCAL && read(channel, null, 8, 1).get() != '{';
    }

    static Map<String, Entry> read(FileChannel channel, Path file) throws IOException {
        long size = channel.size();
        int tail = (int) Math.min(size, 22 + 65535);
        ByteBuffer end = read(channel, file, size - tail, tail);
        int at = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == END) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new TorchCheckpointException(file, "a zip archive without its end record (truncated?)");
        }
        long count = end.getShort(at + 10) & 0xffff;
        long directorySize = end.getInt(at + 12) & MASK32;
        long directoryStart = end.getInt(at + 16) & MASK32;
        long endStart = size - tail + at;
        if (count == 0xffff || directorySize == MASK32 || directoryStart == MASK32) {
            ByteBuffer locator = read(channel, file, endStart - 20, 20);
            if (locator.getInt(0) != END64_LOCATOR) {
                throw new TorchCheckpointException(file, "a ZIP64 archive without its ZIP64 locator");
            }
            ByteBuffer end64 = read(channel, file, locator.getLong(8), 56);
            if (end64.getInt(0) != END64) {
                throw new TorchCheckpointException(file, "the ZIP64 end record is not where its locator points");
            }
            count = end64.getLong(32);
            directorySize = end64.getLong(40);
            directoryStart = end64.getLong(48);
        }
        if (directoryStart < 0 || directorySize > Integer.MAX_VALUE || directoryStart + directorySize > size) {
            throw new TorchCheckpointException(file, "the zip directory lies outside the file (truncated?)");
        }
        ByteBuffer dir = read(channel, file, directoryStart, (int) directorySize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > dir.limit() || dir.getInt(p) != CENTRAL) {
                throw new TorchCheckpointException(file, "zip directory entry " + i + " is malformed");
            }
            int method = dir.getShort(p + 10) & 0xffff;
            long compressed = dir.getInt(p + 20) & MASK32;
            long uncompressed = dir.getInt(p + 24) & MASK32;
            int nameLength = dir.getShort(p + 28) & 0xffff;
            int extraLength = dir.getShort(p + 30) & 0xffff;
            int commentLength = dir.getShort(p + 32) & 0xffff;
            long localStart = dir.getInt(p + 42) & MASK32;
            String name = StandardCharsets.UTF_8.decode(dir.slice(p + 46, nameLength)).toString();
            // ZIP64 extra field: the 64-bit values of the fields that hold 0xffffffff, in this order
            int q = p + 46 + nameLength;
            for (int e = q; e + 4 <= q + extraLength; ) {
                int id = dir.getShort(e) & 0xffff;
                int len = dir.getShort(e + 2) & 0xffff;
                if (id == 1) {
                    int v = e + 4;
                    if (uncompressed == MASK32) {
                        uncompressed = dir.getLong(v);
                        v += 8;
                    }
                    if (compressed == MASK32) {
                        compressed = dir.getLong(v);
                        v += 8;
                    }
                    if (localStart == MASK32) {
                        localStart = dir.getLong(v);
                    }
                }
                e += 4 + len;
            }
            if (method != 0 || compressed != uncompressed) {
                throw new TorchCheckpointException(file, "zip record '" + name + "' is compressed (method " + method
                        + "); torch.save stores records uncompressed, so this archive was rewritten by another tool");
            }
            ByteBuffer local = read(channel, file, localStart, 30);
            if (local.getInt(0) != LOCAL) {
                throw new TorchCheckpointException(file, "zip record '" + name + "' has no local header where the directory says");
            }
            long dataStart = localStart + 30 + (local.getShort(26) & 0xffff) + (local.getShort(28) & 0xffff);
            if (dataStart + uncompressed > size) {
                throw new TorchCheckpointException(file, "zip record '" + name + "' ends at byte " + (dataStart + uncompressed)
                        + " but the file has " + size + " (truncated?)");
            }
            entries.put(name, new Entry(name, dataStart, uncompressed));
            p = q + extraLength + commentLength;
        }
        return Collections.unmodifiableMap(entries);
    }

    private static ByteBuffer read(FileChannel channel, Path file, long position, int length) throws IOException {
        if (position < 0 || position + length > channel.size()) {
            throw new TorchCheckpointException(file, "zip structure points at bytes " + position + ".." + (position + length)
                    + " outside the file's " + channel.size() + " (truncated or corrupt?)");
        }
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && channel.read(b, position + b.position()) >= 0) {
            // read until full; the range was checked against the size
        }
        return b.flip();
    }
}
