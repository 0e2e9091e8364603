package org.sdspark.model.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.sdspark.model.diffusers.DownBlock2D;
import org.sdspark.model.diffusers.MidBlock2D;
import org.sdspark.model.diffusers.ResnetOptions;
import org.sdspark.model.diffusers.SelfAttention2D;
import org.sdspark.model.nn.Conv2d;
import org.sdspark.model.nn.GroupNorm;
import org.sdspark.model.nn.Weights;

/** The VAE encoder: image to the mean and log-variance of the latents (2 x latent channels). */
public record Encoder(Conv2d convIn, List<DownBlock2D> downBlocks, MidBlock2D midBlock, GroupNorm convNormOut,
                      Conv2d convOut, UnaryOperator<NDArray> act) {

    static Encoder load(Weights w, VaeConfig config, ResnetOptions resnet) {
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        List<DownBlock2D> down = new ArrayList<>();
        long out = channels.get(0);
        for (int i = 0; i < blocks; i++) {
            long in = out;
            out = channels.get(i);
            down.add(DownBlock2D.load(w.at("down_blocks", i), config.layersPerBlock(), in, out, 0, resnet, null,
                    i < blocks - 1, 0));
        }
        long last = channels.get(blocks - 1);
        return new Encoder(
                Conv2d.load(w.at("conv_in"), config.inChannels(), channels.get(0), 3, 1, 1),
                List.copyOf(down),
                MidBlock2D.load(w.at("mid_block"), last, 0, resnet, SelfAttention2D.factory(resnet.groups(), resnet.eps())),
                GroupNorm.load(w.at("conv_norm_out"), resnet.groups(), last, resnet.eps()),
                Conv2d.load(w.at("conv_out"), last, 2L * config.latentChannels(), 3, 1, 1),
                resnet.act());
    }

    public NDArray forward(NDArray image) {
        NDArray x = convIn.forward(image);
        for (DownBlock2D block : downBlocks) {
            x = block.forward(x, null, null, null);
        }
        x = midBlock.forward(x, null, null);
        return convOut.forward(act.apply(convNormOut.forward(x)));
    }
}
