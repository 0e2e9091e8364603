package org.sdspark.jobs.train.metrics;

import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads a TFRecord file back, checking both CRCs with the mask as TensorFlow documents it, and
 * parses each record with protobuf-java's schema-less parser (not the writer's code).
 */
final class EventFileReader {
    private EventFileReader() {}

    static List<UnknownFieldSet> events(byte[] file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<UnknownFieldSet> events = new ArrayList<>();
        while (in.hasRemaining()) {
            long length = in.getLong();
            int lengthCrc = in.getInt();
            if (lengthCrc != masked(Arrays.copyOfRange(file, in.position() - 12, in.position() - 4))) {
                throw new IOException("length CRC mismatch at record " + events.size());
            }
            byte[] data = new byte[Math.toIntExact(length)];
            in.get(data);
            if (in.getInt() != masked(data)) throw new IOException("data CRC mismatch at record " + events.size());
            events.add(UnknownFieldSet.parseFrom(data));
        }
        return events;
    }

    private static int masked(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        long c = crc.getValue();
        // TensorFlow's lib/hash/crc32c.h: ((crc >> 15) | (crc << 17)) + 0xa282ead8ul, in uint32
        return (int) ((((c >>> 15) | (c << 17)) + 0xa282ead8L) & 0xFFFFFFFFL);
    }
}
