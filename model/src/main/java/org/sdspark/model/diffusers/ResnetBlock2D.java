package org.sdspark.model.diffusers;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.Conv2d;
import org.sdspark.model.nn.GroupNorm;
import org.sdspark.model.nn.Linear;
import org.sdspark.model.nn.Scoped;
import org.sdspark.model.nn.Weights;

/**
 * diffusers' ResnetBlock2D ("default" time embedding norm): norm, act, 3x3 conv, plus the projected
 * time embedding (UNet only), norm, act, 3x3 conv, added to the input (through a 1x1 conv when the
 * channel count changes).
 */
public record ResnetBlock2D(GroupNorm norm1, Conv2d conv1, Linear timeEmbProj, GroupNorm norm2, Conv2d conv2,
                            Conv2d convShortcut, ResnetOptions options) {

    /** {@code timeEmbedDim} 0 for blocks without a time embedding (the VAE's). */
    public static ResnetBlock2D load(Weights w, long in, long out, long timeEmbedDim, ResnetOptions o) {
        return new ResnetBlock2D(
                GroupNorm.load(w.at("norm1"), o.groups(), in, o.eps()),
                Conv2d.load(w.at("conv1"), in, out, 3, 1, 1),
                timeEmbedDim > 0 ? Linear.load(w.at("time_emb_proj"), timeEmbedDim, out) : null,
                GroupNorm.load(w.at("norm2"), o.groups(), out, o.eps()),
                Conv2d.load(w.at("conv2"), out, out, 3, 1, 1),
                in != out ? Conv2d.load(w.at("conv_shortcut"), in, out, 1, 1, 0) : null,
                o);
    }

    /** {@code temb} (B, timeEmbedDim), or null for blocks without a time embedding. */
    public NDArray forward(NDArray x, NDArray temb) {
        return Scoped.forward(x, () -> {
            NDArray h = conv1.forward(options.act().apply(norm1.forward(x)));
            if (timeEmbProj != null) {
                NDArray t = timeEmbProj.forward(options.act().apply(temb));
                h = h.add(t.reshape(t.getShape().get(0), -1, 1, 1));
            }
            h = conv2.forward(options.act().apply(norm2.forward(h)));
            NDArray out = (convShortcut == null ? x : convShortcut.forward(x)).add(h);
            return options.outputScaleFactor() == 1.0 ? out : out.div(scalar(out, options.outputScaleFactor()));
        });
    }
}
