package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.sdspark.model.nn.Weights;

/**
 * The middle block: resnet, attention, resnet (diffusers' UNetMidBlock2DCrossAttn with a
 * Transformer2DModel, the VAE's UNetMidBlock2D with single-head self-attention).
 */
public record MidBlock2D(List<ResnetBlock2D> resnets, List<SpatialAttention> attentions) {

    public static MidBlock2D load(Weights w, long channels, long timeEmbedDim, ResnetOptions options,
                                  SpatialAttention.Factory attention) {
        return new MidBlock2D(
                List.of(ResnetBlock2D.load(w.at("resnets", 0), channels, channels, timeEmbedDim, options),
                        ResnetBlock2D.load(w.at("resnets", 1), channels, channels, timeEmbedDim, options)),
                List.of(attention.load(w.at("attentions", 0), channels)));
    }

    public NDArray forward(NDArray x, NDArray temb, NDArray context) {
        x = resnets.get(0).forward(x, temb);
        for (int i = 0; i < attentions.size(); i++) {
            x = attentions.get(i).forward(x, context);
            x = resnets.get(i + 1).forward(x, temb);
        }
        return x;
    }
}
