package org.sdspark.jobs.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.sdspark.model.nn.StateDict;

/**
 * Hand-set weights for an AutoencoderKL of equal block widths, so that the demo needs no trained
 * VAE yet shows in colour what its UNet learned: the encoder carries the image's RGB into three
 * channels ({@code conv_in}), averages 2x2 pixels at each downsampler and leaves every residual
 * branch at zero (resnets and attention are identities); its output norm and SiLU are kept nearly
 * linear (GroupNorm scale {@link #NORM_SCALE}, shift {@link #NORM_SHIFT}, undone by
 * {@code conv_out}), and the log-variance is -30 (a deterministic posterior). A latent is then the
 * image's colours, normalised over the image, at 1/2^k size; the decoder mirrors it (nearest
 * upsampling). Only the per-image normalisation is lost: a round trip keeps which colours an image
 * has, not their exact brightness.
 */
final class ColourVae {
    static final double NORM_SCALE = 0.5;
    static final double NORM_SHIFT = 4;
    private static final double SILU_AT_SHIFT = NORM_SHIFT / (1 + Math.exp(-NORM_SHIFT));
    private static final double SILU_SLOPE = sigmoid(NORM_SHIFT) * (1 + NORM_SHIFT * (1 - sigmoid(NORM_SHIFT)));
    private static final double DECODER_GAIN = 0.35;
    private static final float LOGVAR = -30;

    private ColourVae() {
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** The initialiser of the VAE's {@link StateDict} (keys as diffusers names them). */
    static StateDict.Initialiser weights() {
        return (m, key, shape) -> {
            float[] v = new float[Math.toIntExact(shape.size())];
            if (key.endsWith("conv_norm_out.weight")) {
                java.util.Arrays.fill(v, (float) NORM_SCALE);
            } else if (key.endsWith("conv_norm_out.bias")) {
                java.util.Arrays.fill(v, (float) NORM_SHIFT);
            } else if (shape.dimension() == 1 && key.endsWith("weight")) {
                java.util.Arrays.fill(v, 1); // norm scales; every residual branch is zeroed by its last layer
            } else if (key.equals("encoder.conv_in.weight") || key.equals("decoder.conv_in.weight")
                    || key.endsWith("upsamplers.0.conv.weight")) {
                centre(v, shape, key.endsWith("upsamplers.0.conv.weight") ? shape.get(0) : 3, 1);
            } else if (key.endsWith("downsamplers.0.conv.weight")) {
                for (long c = 0; c < shape.get(0); c++) {
                    for (int ky = 0; ky < 2; ky++) {
                        for (int kx = 0; kx < 2; kx++) {
                            v[index(shape, c, c, ky, kx)] = 0.25f; // the 2x2 average (Downsample2D pads right and bottom)
                        }
                    }
                }
            } else if (key.equals("quant_conv.weight") || key.equals("post_quant_conv.weight")) {
                centre(v, shape, shape.get(0), 1);
            } else if (key.equals("encoder.conv_out.weight")) {
                centre(v, shape, 3, (float) (1 / (SILU_SLOPE * NORM_SCALE)));
            } else if (key.equals("encoder.conv_out.bias")) {
                for (int c = 0; c < v.length; c++) {
                    v[c] = c < 3 ? (float) (-SILU_AT_SHIFT / (SILU_SLOPE * NORM_SCALE)) : c >= v.length / 2 ? LOGVAR : 0;
                }
            } else if (key.equals("decoder.conv_out.weight")) {
                centre(v, shape, 3, (float) (DECODER_GAIN / (SILU_SLOPE * NORM_SCALE)));
            } else if (key.equals("decoder.conv_out.bias")) {
                java.util.Arrays.fill(v, (float) (-DECODER_GAIN * SILU_AT_SHIFT / (SILU_SLOPE * NORM_SCALE)));
            }
            return owned(m, v, shape);
        };
    }

    /** Weight {@code value} from input channel c to output channel c for c < {@code channels}, at the kernel's centre. */
    private static void centre(float[] v, Shape shape, long channels, float value) {
        long k = shape.dimension() == 4 ? shape.get(2) / 2 : 0;
        for (long c = 0; c < channels; c++) {
            v[index(shape, c, c, k, k)] = value;
        }
    }

    private static int index(Shape shape, long out, long in, long y, long x) {
        long kh = shape.dimension() == 4 ? shape.get(2) : 1;
        long kw = shape.dimension() == 4 ? shape.get(3) : 1;
        return Math.toIntExact(((out * shape.get(1) + in) * kh + y) * kw + x);
    }

    // Arrays made over Java buffers may be freed while the engine still reads them: copy into engine memory.
    private static NDArray owned(NDManager m, float[] v, Shape shape) {
        try (NDArray view = m.create(v, shape)) {
            return view.duplicate();
        }
    }
}
