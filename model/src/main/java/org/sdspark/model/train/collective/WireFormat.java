package org.sdspark.model.train.collective;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import org.sdspark.model.io.Half;

/**
 * How gradients travel between ranks: float32, or float16 for half the bytes (as DDP's fp16
 * compression hook and NCCL's {@code ncclHalf} do; sums are still accumulated in float32).
 */
public enum WireFormat {
    FP32(4) {
        @Override
        void encode(float[] values, int offset, int length, byte[] into) {
            ByteBuffer.wrap(into).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values, offset, length);
        }

        @Override
        void decode(byte[] from, float[] values, int offset, int length, boolean add) {
            FloatBuffer in = ByteBuffer.wrap(from).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            if (!add) {
                in.get(values, offset, length);
                return;
            }
            for (int i = 0; i < length; i++) {
                values[offset + i] += in.get(i);
            }
        }

        @Override
        void round(float[] values, int offset, int length) {
        }
    },
    FP16(2) {
        @Override
        void encode(float[] values, int offset, int length, byte[] into) {
            ShortBuffer out = ByteBuffer.wrap(into).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            for (int i = 0; i < length; i++) {
                out.put(i, Half.fromFloat(values[offset + i]));
            }
        }

        @Override
        void decode(byte[] from, float[] values, int offset, int length, boolean add) {
            ShortBuffer in = ByteBuffer.wrap(from).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            for (int i = 0; i < length; i++) {
                float v = Half.toFloat(in.get(i));
                values[offset + i] = add ? values[offset + i] + v : v;
            }
        }

        @Override
        void round(float[] values, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                values[i] = Half.toFloat(Half.fromFloat(values[i]));
            }
        }
    };

    private final int bytes;

    WireFormat(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per value on the wire. */
    public int bytes() {
        return bytes;
    }

    abstract void encode(float[] values, int offset, int length, byte[] into);

    /** Writes (or, with {@code add}, adds) the decoded values into {@code values[offset, offset + length)}. */
    abstract void decode(byte[] from, float[] values, int offset, int length, boolean add);

    /** Rounds values to what the wire carries, so the rank that owns a sum holds what the others receive. */
    abstract void round(float[] values, int offset, int length);
}
