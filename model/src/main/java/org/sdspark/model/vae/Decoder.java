package org.sdspark.model.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.sdspark.model.diffusers.MidBlock2D;
import org.sdspark.model.diffusers.ResnetOptions;
import org.sdspark.model.diffusers.SelfAttention2D;
import org.sdspark.model.diffusers.UpBlock2D;
import org.sdspark.model.nn.Conv2d;
import org.sdspark.model.nn.GroupNorm;
import org.sdspark.model.nn.Weights;

/** The VAE decoder: latents to an image in [-1, 1] (unclamped). */
public record Decoder(Conv2d convIn, MidBlock2D midBlock, List<UpBlock2D> upBlocks, GroupNorm convNormOut,
                      Conv2d convOut, UnaryOperator<NDArray> act) {

    static Decoder load(Weights w, VaeConfig config, ResnetOptions resnet) {
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        long last = channels.get(blocks - 1);
        List<UpBlock2D> up = new ArrayList<>();
        long out = last;
        for (int i = 0; i < blocks; i++) {
            long in = out;
            out = channels.get(blocks - 1 - i);
            up.add(UpBlock2D.load(w.at("up_blocks", i), config.layersPerBlock() + 1, in, out, resnet, i < blocks - 1));
        }
        return new Decoder(
                Conv2d.load(w.at("conv_in"), config.latentChannels(), last, 3, 1, 1),
                MidBlock2D.load(w.at("mid_block"), last, 0, resnet, SelfAttention2D.factory(resnet.groups(), resnet.eps())),
                List.copyOf(up),
                GroupNorm.load(w.at("conv_norm_out"), resnet.groups(), channels.get(0), resnet.eps()),
                Conv2d.load(w.at("conv_out"), channels.get(0), config.outChannels(), 3, 1, 1),
                resnet.act());
    }

    public NDArray forward(NDArray latents) {
        NDArray x = midBlock.forward(convIn.forward(latents), null, null);
        for (UpBlock2D block : upBlocks) {
            x = block.forward(x, null, null, null);
        }
        return convOut.forward(act.apply(convNormOut.forward(x)));
    }
}
