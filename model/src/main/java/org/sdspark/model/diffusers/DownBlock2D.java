package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.sdspark.model.nn.Weights;

/**
 * A down block: ResnetBlock2Ds, each optionally followed by an attention layer (diffusers'
 * CrossAttnDownBlock2D; none for DownBlock2D and the VAE's DownEncoderBlock2D), then an optional
 * Downsample2D. The UNet keeps each stage's output as a skip connection.
 */
public record DownBlock2D(List<ResnetBlock2D> resnets, List<SpatialAttention> attentions, Downsample2D downsampler) {

    /**
     * @param attention null for a block without attention layers
     * @param downsamplePadding 1 in the UNet; 0 (asymmetric padding) in the VAE
     */
    public static DownBlock2D load(Weights w, int layers, long in, long out, long timeEmbedDim, ResnetOptions options,
                                   SpatialAttention.Factory attention, boolean downsample, int downsamplePadding) {
        List<ResnetBlock2D> resnets = new ArrayList<>();
        List<SpatialAttention> attentions = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            resnets.add(ResnetBlock2D.load(w.at("resnets", i), i == 0 ? in : out, out, timeEmbedDim, options));
            if (attention != null) {
                attentions.add(attention.load(w.at("attentions", i), out));
            }
        }
        Downsample2D down = downsample ? Downsample2D.load(w.at("downsamplers", 0), out, downsamplePadding) : null;
        return new DownBlock2D(List.copyOf(resnets), List.copyOf(attentions), down);
    }

    /** @param skips receives every stage's output (the UNet's skip connections); null to keep none */
    public NDArray forward(NDArray x, NDArray temb, NDArray context, List<NDArray> skips) {
        for (int i = 0; i < resnets.size(); i++) {
            x = resnets.get(i).forward(x, temb);
            if (!attentions.isEmpty()) {
                x = attentions.get(i).forward(x, context);
            }
            keep(skips, x);
        }
        if (downsampler != null) {
            x = downsampler.forward(x);
            keep(skips, x);
        }
        return x;
    }

    private static void keep(List<NDArray> skips, NDArray x) {
        if (skips != null) {
            skips.add(x);
        }
    }
}
