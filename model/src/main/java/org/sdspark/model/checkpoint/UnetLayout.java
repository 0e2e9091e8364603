package org.sdspark.model.checkpoint;

import java.util.Collections;
import java.util.List;
import org.sdspark.model.unet.UNetConfig;

/**
 * What of a UNet2DConditionModel config decides its original key names: which down and up blocks
 * carry attention (the CrossAttn block types), how many resnets each down block has (up block i
 * has one more than down block {@code blocks-1-i}, as in diffusers), and whether it has SDXL's
 * text_time embedding (LDM's {@code label_emb}).
 */
public record UnetLayout(List<Boolean> downAttention, List<Boolean> upAttention, List<Integer> layersPerBlock,
                         boolean textTime) {
    public UnetLayout {
        downAttention = List.copyOf(downAttention);
        upAttention = List.copyOf(upAttention);
        layersPerBlock = List.copyOf(layersPerBlock);
        if (downAttention.size() != upAttention.size() || downAttention.size() != layersPerBlock.size()
                || downAttention.isEmpty()) {
            throw new IllegalArgumentException("UNet needs as many up blocks, down blocks and layer counts, got "
                    + downAttention.size() + ", " + upAttention.size() + " and " + layersPerBlock.size());
        }
    }

    /** An SD 1.x/2.x UNet (no text_time embedding). */
    public UnetLayout(List<Boolean> downAttention, List<Boolean> upAttention, int layersPerBlock) {
        this(downAttention, upAttention, Collections.nCopies(downAttention.size(), layersPerBlock), false);
    }

    public static UnetLayout of(UNetConfig config) {
        return new UnetLayout(config.downBlockTypes().stream().map(UnetLayout::hasAttention).toList(),
                config.upBlockTypes().stream().map(UnetLayout::hasAttention).toList(), config.layersPerBlock(),
                config.textTime() != null);
    }

    public int downLayers(int block) {
        return layersPerBlock.get(block);
    }

    public int upLayers(int block) {
        return layersPerBlock.get(blocks() - 1 - block) + 1;
    }

    private static boolean hasAttention(String blockType) {
        return blockType.startsWith("CrossAttn");
    }

    public int blocks() {
        return downAttention.size();
    }
}
