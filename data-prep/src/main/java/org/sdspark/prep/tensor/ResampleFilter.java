package org.sdspark.prep.tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Pillow's resampling kernels (its {@code Resample.c}), each with the support it has at scale 1.
 * BILINEAR is the default because it is what diffusers' training scripts run: torchvision's
 * {@code Resize} on a PIL image calls Pillow's bilinear resize, which is antialiased (the kernel
 * widens with the downscale factor). kohya's cv2 INTER_AREA is not offered: Pillow has no exact
 * equivalent and there was no cv2 here to prove one against.
 */
public enum ResampleFilter {
    BILINEAR(1.0) {
        @Override
        double weight(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    },
    /** Keys' cubic with a = -0.5, as Pillow (not OpenCV's -0.75). */
    BICUBIC(2.0) {
        @Override
        double weight(double x) {
            double a = -0.5;
            x = Math.abs(x);
            if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
            return 0.0;
        }
    },
    LANCZOS(3.0) {
        @Override
        double weight(double x) {
            return x > -3.0 && x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0;
        }
    };

    private final double support;

    ResampleFilter(double support) {
        this.support = support;
    }

    double support() {
        return support;
    }

    abstract double weight(double x);

    private static double sinc(double x) {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.sin(x) / x;
    }

    /** The filter named {@code name} in any case ("bilinear"); the error lists the names there are. */
    public static ResampleFilter of(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown resample filter '" + name + "'; use one of "
                    + Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
        }
    }
}
