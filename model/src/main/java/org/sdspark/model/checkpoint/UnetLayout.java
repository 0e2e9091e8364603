package org.sdspark.model.checkpoint;

import java.util.List;

/**
 * What of a UNet2DConditionModel config decides its original key names: which down and up blocks
 * carry attention (the CrossAttn block types) and how many resnets each block has.
 */
public record UnetLayout(List<Boolean> downAttention, List<Boolean> upAttention, int layersPerBlock) {
    public UnetLayout {
        downAttention = List.copyOf(downAttention);
        upAttention = List.copyOf(upAttention);
        if (downAttention.size() != upAttention.size() || downAttention.isEmpty()) {
            throw new IllegalArgumentException("UNet needs as many up as down blocks, got "
                    + downAttention.size() + " and " + upAttention.size());
        }
    }

    public static UnetLayout fromBlockTypes(List<String> downBlockTypes, List<String> upBlockTypes, int layersPerBlock) {
        return new UnetLayout(downBlockTypes.stream().map(UnetLayout::hasAttention).toList(),
                upBlockTypes.stream().map(UnetLayout::hasAttention).toList(), layersPerBlock);
    }

    private static boolean hasAttention(String blockType) {
        return blockType.startsWith("CrossAttn");
    }

    public int blocks() {
        return downAttention.size();
    }
}
