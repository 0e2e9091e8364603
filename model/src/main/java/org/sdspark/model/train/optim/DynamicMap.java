package org.sdspark.model.train.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * bitsandbytes' dynamic quantisation map ({@code create_dynamic_map}, 7 exponent bits, 8 bits):
 * 256 sorted codes in [-1, 1] (signed) or [0, 1] (unsigned), dense near zero (one decade per
 * exponent from 1e-6 to 1, each decade split linearly, finer in higher decades), plus 0 and 1.
 * Values are the float32 numbers bitsandbytes computes.
 */
public final class DynamicMap {
    private static final int EXPONENT_BITS = 7;

    private DynamicMap() {
    }

    public static float[] codes(boolean signed) {
        List<Float> data = new ArrayList<>();
        for (int i = 0; i < EXPONENT_BITS; i++) {
            int fractionItems = signed ? (1 << i) + 1 : (1 << (i + 1)) + 1;
            float scale = (float) Math.pow(10, -(EXPONENT_BITS - 1) + i);
            float[] boundaries = linspace(0.1f, 1f, fractionItems);
            for (int j = 0; j + 1 < boundaries.length; j++) {
                float mean = (boundaries[j] + boundaries[j + 1]) / 2f;
                data.add(scale * mean);
                if (signed) {
                    data.add(-scale * mean);
                }
            }
        }
        data.add(0f);
        data.add(1f);
        if (data.size() != 256) {
            throw new IllegalStateException("dynamic map has " + data.size() + " codes");
        }
        float[] out = new float[256];
        List<Float> sorted = data.stream().sorted().toList();
        for (int i = 0; i < out.length; i++) {
            out[i] = sorted.get(i);
        }
        return out;
    }

    /** The midpoints between consecutive codes, then +inf: code i covers (t[i-1], t[i]]. */
    public static float[] thresholds(float[] codes) {
        float[] t = new float[codes.length];
        for (int i = 0; i + 1 < codes.length; i++) {
            t[i] = (codes[i] + codes[i + 1]) / 2f;
        }
        t[codes.length - 1] = Float.POSITIVE_INFINITY;
        return t;
    }

    /** torch.linspace in float32 (first half from the start, second half from the end). */
    private static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        float step = (end - start) / (steps - 1);
        int half = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
        }
        return out;
    }
}
