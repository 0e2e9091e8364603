package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.sdspark.model.nn.Constants;
import org.sdspark.model.nn.Conv2d;
import org.sdspark.model.nn.TorchExtension;
import org.sdspark.model.nn.Weights;

/** Nearest-neighbour upsampling (2x, or to a given size) followed by a 3x3 conv. */
public record Upsample2D(Conv2d conv) {

    public static Upsample2D load(Weights w, long channels) {
        return new Upsample2D(Conv2d.load(w.at("conv"), channels, channels, 3, 1, 1));
    }

    /**
     * Upsamples (B, C, H, W) to (B, C, height, width): the UNet asks for its skip connection's size,
     * which is 2H - 1 rather than 2H below an odd-sized level.
     */
    public NDArray forward(NDArray x, long height, long width) {
        return conv.forward(nearest(x, height, width));
    }

    public NDArray forward(NDArray x) {
        return forward(x, 2 * x.getShape().get(2), 2 * x.getShape().get(3));
    }

    /**
     * PyTorch's "nearest" interpolation: output index d reads input floor(d * in / out). Through the
     * {@link TorchExtension} where it is loaded: one kernel each way, where the composed gathers'
     * backward scatters with atomic adds.
     */
    static NDArray nearest(NDArray x, long height, long width) {
        if (TorchExtension.fuses(TorchExtension.Op.UPSAMPLE)) {
            return TorchExtension.upsampleNearest(x, height, width);
        }
        NDManager m = x.getManager();
        NDArray rows = Constants.of(m, sourceIndices(x.getShape().get(2), height));
        NDArray cols = Constants.of(m, sourceIndices(x.getShape().get(3), width));
        return x.get(":, :, {}, :", rows).get(":, :, :, {}", cols);
    }

    // float arithmetic like ATen's nearest_idx, so the rounding agrees at every index
    static long[] sourceIndices(long in, long out) {
        float scale = (float) in / out;
        long[] idx = new long[(int) out];
        for (int d = 0; d < out; d++) {
            idx[d] = Math.min((long) Math.floor(d * scale), in - 1);
        }
        return idx;
    }
}
