package org.sdspark.jobs.latents;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * How cached latents are stored in their binary columns: little-endian IEEE float16 or float32
 * values. float16 rounds to nearest, ties to even, as PyTorch's cast does (Java 17 has no
 * {@code Float.floatToFloat16}).
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
                out.putShort(toHalf(v));
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
            out[i] = this == FLOAT16 ? toFloat(in.getShort()) : in.getFloat();
        }
        return out;
    }

    static short toHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            // infinity stays infinity; NaN keeps its top payload bits and stays a NaN
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | (abs >>> 13) & 0x3ff : 0));
        }
        if (abs >= 0x477ff000) {
            // 65520 and above round to infinity (65504 is the largest half)
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) {
            // below 2^-14: a subnormal half m * 2^-24; the product is exact in double, rint ties to even
            return (short) (sign | (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24));
        }
        // rebias the exponent (127 -> 15) and round the 13 dropped mantissa bits to nearest even;
        // a carry out of the mantissa correctly bumps the exponent
        int rounded = abs + 0xfff + ((abs >>> 13) & 1);
        return (short) (sign | (rounded - 0x38000000) >>> 13);
    }

    static float toFloat(short half) {
        int sign = (half & 0x8000) << 16;
        int exponent = (half >>> 10) & 0x1f;
        int mantissa = half & 0x3ff;
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign == 0 ? subnormal : -subnormal;
        }
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | mantissa << 13);
        }
        return Float.intBitsToFloat(sign | (exponent + 112) << 23 | mantissa << 13);
    }
}
