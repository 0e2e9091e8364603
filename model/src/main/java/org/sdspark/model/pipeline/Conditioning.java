package org.sdspark.model.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.sdspark.model.unet.AddedConditions;

/**
 * What the UNet is conditioned on for one prompt: its embeddings (B, 77, cross_attention_dim) and,
 * for SDXL, the added conditions (pooled embedding and time ids); null for SD 1.x/2.x.
 */
public record Conditioning(NDArray promptEmbeds, AddedConditions added) implements AutoCloseable {

    /** The batch [uncond, cond] that classifier-free guidance runs the UNet on, in new arrays. */
    static Conditioning concat(Conditioning uncond, Conditioning cond) {
        NDArray embeds = NDArrays.concat(new NDList(uncond.promptEmbeds, cond.promptEmbeds));
        if (cond.added == null) {
            return new Conditioning(embeds, null);
        }
        return new Conditioning(embeds, new AddedConditions(
                NDArrays.concat(new NDList(uncond.added.textEmbeds(), cond.added.textEmbeds())),
                NDArrays.concat(new NDList(uncond.added.timeIds(), cond.added.timeIds()))));
    }

    @Override
    public void close() {
        promptEmbeds.close();
        if (added != null) {
            added.textEmbeds().close();
            added.timeIds().close();
        }
    }
}
