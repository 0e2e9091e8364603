package org.sdspark.jobs.latents;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import org.sdspark.model.io.Half;

/**
 * How cached latents are stored in their binary columns: little-endian IEEE float16 or float32
 * values. float16 rounds to nearest, ties to even, as PyTorch's cast does ({@link Half}).
 */
enum FloatStorage {
    FLOAT16(2), FLOAT32(4);

    private final int bytes;

    FloatStorage(int bytes) {
        this.bytes = bytes;
    }

    int bytesPerValue() {
        return bytes;
    }

    /** {@code float16} or {@code float32}, as settings and {@code latents.json} name it. */
    String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    static FloatStorage of(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }

    byte[] encode(float[] values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (this == FLOAT16) {
                out.putShort(Half.fromFloat(v));
            } else {
                out.putFloat(v);
            }
        }
        return out.array();
    }

    float[] decode(byte[] data) {
        if (data.length % bytes != 0) {
            throw new IllegalArgumentException(data.length + " bytes are not a whole number of " + code() + " values");
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[data.length / bytes];
        for (int i = 0; i < out.length; i++) {
            out[i] = this == FLOAT16 ? Half.toFloat(in.getShort()) : in.getFloat();
        }
        return out;
    }
}
