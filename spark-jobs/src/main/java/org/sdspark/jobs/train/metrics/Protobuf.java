package org.sdspark.jobs.train.metrics;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Protocol-buffer wire encoding of the few field kinds TensorBoard's Event and Summary use. */
final class Protobuf {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Protobuf varint(int field, long value) {
        tag(field, VARINT);
        raw(value);
        return this;
    }

    Protobuf float64(int field, double value) {
        tag(field, FIXED64);
        littleEndian(Double.doubleToLongBits(value), 8);
        return this;
    }

    Protobuf float32(int field, float value) {
        tag(field, FIXED32);
        littleEndian(Float.floatToIntBits(value), 4);
        return this;
    }

    Protobuf bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        raw(value.length);
        out.writeBytes(value);
        return this;
    }

    Protobuf string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Protobuf message(int field, Protobuf value) {
        return bytes(field, value.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        raw((long) field << 3 | wireType);
    }

    /** Base-128 varint; negative numbers take ten bytes, as int64 fields carry them. */
    private void raw(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    private void littleEndian(long value, int bytes) {
        for (int i = 0; i < bytes; i++) out.write((int) (value >>> (8 * i)) & 0xFF);
    }
}
