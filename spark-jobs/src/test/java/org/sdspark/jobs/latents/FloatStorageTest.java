package org.sdspark.jobs.latents;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sdspark.model.io.Half;

/** float16 storage converts exactly as PyTorch's casts do (DJL's engine is the reference). */
class FloatStorageTest {

    @Test
    void everyHalfDecodesAsTorchWidensIt() {
        short[] halves = new short[1 << 16];
        for (int i = 0; i < halves.length; i++) {
            halves[i] = (short) i;
        }
        ByteBuffer bytes = ByteBuffer.allocate(2 * halves.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(halves);
        float[] ours = FloatStorage.FLOAT16.decode(bytes.array());
        try (NDManager m = NDManager.newBaseManager()) {
            float[] torch = m.create(ByteBuffer.wrap(bytes.array()).order(ByteOrder.nativeOrder()), new Shape(halves.length),
                    DataType.FLOAT16).toType(DataType.FLOAT32, false).toFloatArray();
            for (int i = 0; i < halves.length; i++) {
                if (Float.isNaN(torch[i])) {
                    assertThat(ours[i]).as("half 0x%04x", i).isNaN();
                } else {
                    assertThat(Float.floatToRawIntBits(ours[i])).as("half 0x%04x", i).isEqualTo(Float.floatToRawIntBits(torch[i]));
                }
            }
        }
    }

    @Test
    void floatsRoundToHalvesAsTorchCastsThem() {
        Random random = new Random(7);
        float[] values = new float[200_000];
        int n = 0;
        for (float edge : new float[] {0f, -0f, 1f, 65504f, 65519.99f, 65520f, -65520f, 1e9f, 6.1035156e-5f, 6.097555e-5f,
                5.9604645e-8f, 2.9802322e-8f, 2.9802326e-8f, 1e-10f, Float.MIN_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, 1.0009766f, 1.00048828125f, 1.0014648f}) {
            values[n++] = edge;
        }
        while (n < values.length) {
            // every exponent a half can reach and a little beyond, with arbitrary mantissas (ties included)
            int exponent = 127 - 27 + random.nextInt(46);
            values[n++] = Float.intBitsToFloat((random.nextBoolean() ? 0x80000000 : 0) | exponent << 23 | random.nextInt(1 << 23));
        }
        byte[] ours = FloatStorage.FLOAT16.encode(values);
        try (NDManager m = NDManager.newBaseManager()) {
            ByteBuffer torch = m.create(values).toType(DataType.FLOAT16, false).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer mine = ByteBuffer.wrap(ours).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) {
                assertThat(mine.getShort(2 * i)).as("%s (0x%08x)", values[i], Float.floatToRawIntBits(values[i]))
                        .isEqualTo(torch.getShort(2 * i));
            }
        }
        assertThat(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN)))).isTrue();
    }

    @Test
    void float32RoundTripsExactly() {
        float[] values = {0f, -1.5f, 3.1415927f, Float.MIN_VALUE, -Float.MAX_VALUE};
        assertThat(FloatStorage.FLOAT32.decode(FloatStorage.FLOAT32.encode(values))).containsExactly(values);
    }
}
