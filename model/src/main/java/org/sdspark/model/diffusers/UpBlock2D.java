package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.sdspark.model.nn.Weights;

/**
 * An up block: ResnetBlock2Ds, each optionally followed by an attention layer (CrossAttnUpBlock2D;
 * none for UpBlock2D and the VAE's UpDecoderBlock2D), then an optional Upsample2D. In the UNet each
 * resnet first concatenates the latest skip connection to its input.
 */
public record UpBlock2D(List<ResnetBlock2D> resnets, List<SpatialAttention> attentions, Upsample2D upsampler) {

    /**
     * The UNet's up block: resnet i takes the previous output ({@code prevOut} channels for the
     * first, {@code out} after) plus a skip connection ({@code in} channels for the last, {@code out}
     * before — the down path's channel counts mirrored).
     */
    public static UpBlock2D loadWithSkips(Weights w, int layers, long in, long prevOut, long out, long timeEmbedDim,
                                          ResnetOptions options, SpatialAttention.Factory attention, boolean upsample) {
        long[] inputs = new long[layers];
        for (int i = 0; i < layers; i++) {
            inputs[i] = (i == 0 ? prevOut : out) + (i == layers - 1 ? in : out);
        }
        return load(w, inputs, out, timeEmbedDim, options, attention, upsample);
    }

    /** The VAE decoder's up block (no skip connections, no time embedding). */
    public static UpBlock2D load(Weights w, int layers, long in, long out, ResnetOptions options, boolean upsample) {
        long[] inputs = new long[layers];
        for (int i = 0; i < layers; i++) {
            inputs[i] = i == 0 ? in : out;
        }
        return load(w, inputs, out, 0, options, null, upsample);
    }

    private static UpBlock2D load(Weights w, long[] inputs, long out, long timeEmbedDim, ResnetOptions options,
                                  SpatialAttention.Factory attention, boolean upsample) {
        List<ResnetBlock2D> resnets = new ArrayList<>();
        List<SpatialAttention> attentions = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            resnets.add(ResnetBlock2D.load(w.at("resnets", i), inputs[i], out, timeEmbedDim, options));
            if (attention != null) {
                attentions.add(attention.load(w.at("attentions", i), out));
            }
        }
        Upsample2D up = upsample ? Upsample2D.load(w.at("upsamplers", 0), out) : null;
        return new UpBlock2D(List.copyOf(resnets), List.copyOf(attentions), up);
    }

    /**
     * @param skips the down path's outputs; each resnet takes (and removes) the last one. Null in the
     *     VAE. After this block's, the last remaining skip gives the size to upsample to.
     */
    public NDArray forward(NDArray x, NDArray temb, NDArray context, List<NDArray> skips) {
        for (int i = 0; i < resnets.size(); i++) {
            if (skips != null) {
                x = x.concat(skips.remove(skips.size() - 1), 1);
            }
            x = resnets.get(i).forward(x, temb);
            if (!attentions.isEmpty()) {
                x = attentions.get(i).forward(x, context);
            }
        }
        if (upsampler == null) {
            return x;
        }
        if (skips == null || skips.isEmpty()) {
            return upsampler.forward(x);
        }
        NDArray next = skips.get(skips.size() - 1);
        return upsampler.forward(x, next.getShape().get(2), next.getShape().get(3));
    }
}
