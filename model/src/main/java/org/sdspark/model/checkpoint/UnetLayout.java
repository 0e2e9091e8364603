package org.sdspark.model.checkpoint;

import java.util.Collections;
import java.util.List;
import org.sdspark.model.unet.UNetConfig;

/**
 * What of a UNet2DConditionModel config decides its original key names: which down and up blocks
 * carry attention (the CrossAttn block types) and how many resnets each down block has (up block i
 * has one more than down block {@code blocks-1-i}, as in diffusers).
 */
public record UnetLayout(List<Boolean> downAttention, List<Boolean> upAttention, List<Integer> layersPerBlock) {
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

    public UnetLayout(List<Boolean> downAttention, List<Boolean> upAttention, int layersPerBlock) {
        this(downAttention, upAttention, Collections.nCopies(downAttention.size(), layersPerBlock));
    }

    public static UnetLayout of(UNetConfig config) {
        return fromBlockTypes(config.downBlockTypes(), config.upBlockTypes(), config.layersPerBlock());
    }

    public static UnetLayout fromBlockTypes(List<String> downBlockTypes, List<String> upBlockTypes,
                                            List<Integer> layersPerBlock) {
        return new UnetLayout(downBlockTypes.stream().map(UnetLayout::hasAttention).toList(),
                upBlockTypes.stream().map(UnetLayout::hasAttention).toList(), layersPerBlock);
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
