package org.sdspark.model.io;

/**
 * IEEE 754 binary16 conversions (Java 17 has none): round to nearest even, overflow to infinity,
 * subnormals kept, as PyTorch's {@code .half()} and NCCL's {@code ncclHalf} see the values: the
 * TCP ring's float16 wire and the float16 latent cache.
 */
public final class Half {
    private Half() {
    }

    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fff_ffff;
        if (magnitude >= 0x7f80_0000) { // infinity, or NaN kept quiet
            return (short) (sign | 0x7c00 | (magnitude > 0x7f80_0000 ? 0x200 : 0));
        }
        if (magnitude >= 0x477f_f000) { // 65520 and above round past the largest half, 65504
            return (short) (sign | 0x7c00);
        }
        if (magnitude >= 0x3880_0000) { // a normal half: rebias the exponent, round 13 bits away
            int rebiased = magnitude - 0x3800_0000;
            return (short) (sign | (rebiased + 0x0fff + ((rebiased >>> 13) & 1)) >>> 13);
        }
        if (magnitude >= 0x3300_0000) { // a subnormal half: units of 2^-24
            int exponent = magnitude >>> 23;
            int mantissa = (magnitude & 0x7f_ffff) | 0x80_0000;
            int shift = 126 - exponent;
            int units = mantissa >>> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || rest == halfway && (units & 1) == 1) {
                units++;
            }
            return (short) (sign | units);
        }
        return (short) sign;
    }

    public static float toFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 31) {
            return Float.intBitsToFloat(sign | 0x7f80_0000 | mantissa << 13);
        }
        return Float.intBitsToFloat(sign | (exponent + 112) << 23 | mantissa << 13);
    }
}
