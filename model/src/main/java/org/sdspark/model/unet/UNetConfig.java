package org.sdspark.model.unet;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.sdspark.model.diffusers.DiffusersConfig;

/**
 * A diffusers {@code unet/config.json} (UNet2DConditionModel) as far as Stable Diffusion 1.x/2.x and SDXL
 * use it. Lists are per down block, in down-path order.
 *
 * @param attentionHeads heads of each block's transformers. diffusers' quirk: when
 *     {@code num_attention_heads} is null, {@code attention_head_dim} holds the number of heads
 * @param sampleSize the latent size the model was trained at (informational), or null
 * @param textTime SDXL's added conditioning ({@code addition_embed_type = "text_time"}), or null
 */
public record UNetConfig(int inChannels, int outChannels, List<Integer> blockOutChannels, List<Integer> layersPerBlock,
                         List<String> downBlockTypes, List<String> upBlockTypes, String midBlockType,
                         int crossAttentionDim, List<Integer> attentionHeads, List<Integer> transformerLayersPerBlock,
                         boolean useLinearProjection, boolean upcastAttention, int normNumGroups, float normEps,
                         boolean flipSinToCos, double freqShift, String actFn, int downsamplePadding,
                         double midBlockScaleFactor, Integer sampleSize, TextTimeConfig textTime) {

    public static final String DOWN_BLOCK = "DownBlock2D";
    public static final String CROSS_ATTN_DOWN_BLOCK = "CrossAttnDownBlock2D";
    public static final String UP_BLOCK = "UpBlock2D";
    public static final String CROSS_ATTN_UP_BLOCK = "CrossAttnUpBlock2D";
    public static final String MID_BLOCK = "UNetMidBlock2DCrossAttn";
    public static final String TEXT_TIME = "text_time";

    public UNetConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        layersPerBlock = List.copyOf(layersPerBlock);
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        attentionHeads = List.copyOf(attentionHeads);
        transformerLayersPerBlock = List.copyOf(transformerLayersPerBlock);
        int blocks = blockOutChannels.size();
        requireBlocks("down_block_types", downBlockTypes.size(), blocks);
        requireBlocks("up_block_types", upBlockTypes.size(), blocks);
        requireBlocks("layers_per_block", layersPerBlock.size(), blocks);
        requireBlocks("attention_head_dim/num_attention_heads", attentionHeads.size(), blocks);
        requireBlocks("transformer_layers_per_block", transformerLayersPerBlock.size(), blocks);
        requireTypes("down_block_types", downBlockTypes, Set.of(DOWN_BLOCK, CROSS_ATTN_DOWN_BLOCK));
        requireTypes("up_block_types", upBlockTypes, Set.of(UP_BLOCK, CROSS_ATTN_UP_BLOCK));
        requireTypes("mid_block_type", Collections.singletonList(midBlockType), Set.of(MID_BLOCK));
        for (int i = 0; i < blocks; i++) {
            int channels = blockOutChannels.get(i);
            if (channels % normNumGroups != 0) {
                throw new IllegalArgumentException("block_out_channels[" + i + "] = " + channels
                        + " does not split into norm_num_groups = " + normNumGroups);
            }
            if (channels % attentionHeads.get(i) != 0) {
                throw new IllegalArgumentException("block_out_channels[" + i + "] = " + channels
                        + " does not split into " + attentionHeads.get(i) + " attention heads");
            }
        }
    }

    private static void requireBlocks(String key, int size, int blocks) {
        if (size != blocks) {
            throw new IllegalArgumentException("'" + key + "' has " + size + " entries but block_out_channels has " + blocks);
        }
    }

    private static void requireTypes(String key, List<String> types, Set<String> known) {
        for (String type : types) {
            if (!known.contains(type)) {
                throw new IllegalArgumentException("'" + key + "' contains unsupported block type " + type
                        + " (supported: " + known + ")");
            }
        }
    }

    /** The UNet of Stable Diffusion 1.x (860M parameters), for benchmarks and fresh models. */
    public static UNetConfig stableDiffusion15() {
        List<String> down = List.of(CROSS_ATTN_DOWN_BLOCK, CROSS_ATTN_DOWN_BLOCK, CROSS_ATTN_DOWN_BLOCK, DOWN_BLOCK);
        List<String> up = List.of(UP_BLOCK, CROSS_ATTN_UP_BLOCK, CROSS_ATTN_UP_BLOCK, CROSS_ATTN_UP_BLOCK);
        return new UNetConfig(4, 4, List.of(320, 640, 1280, 1280), List.of(2, 2, 2, 2), down, up, MID_BLOCK, 768,
                List.of(8, 8, 8, 8), List.of(1, 1, 1, 1), false, false, 32, 1e-5f, true, 0, "silu", 1, 1.0, 64, null);
    }

    /** Reads {@code config.json}; unsupported options and unknown keys fail naming the key and the file. */
    public static UNetConfig read(Path file) {
        DiffusersConfig c = DiffusersConfig.read(file);
        List<Integer> blockOut = c.getInts("block_out_channels", List.of(320, 640, 1280, 1280));
        int blocks = blockOut.size();
        requireUnused(c);
        List<Integer> heads = c.getPerBlock("num_attention_heads", blocks, null);
        List<Integer> headDims = c.getPerBlock("attention_head_dim", blocks, 8);
        try {
            UNetConfig config = new UNetConfig(
                    c.getInt("in_channels", 4),
                    c.getInt("out_channels", 4),
                    blockOut,
                    c.getPerBlock("layers_per_block", blocks, 2),
                    c.getStrings("down_block_types", stableDiffusion15().downBlockTypes()),
                    c.getStrings("up_block_types", stableDiffusion15().upBlockTypes()),
                    c.getString("mid_block_type", MID_BLOCK),
                    c.getInt("cross_attention_dim", 1280),
                    heads != null ? heads : headDims,
                    c.getPerBlock("transformer_layers_per_block", blocks, 1),
                    c.getBoolean("use_linear_projection", false),
                    c.getBoolean("upcast_attention", false),
                    c.getInt("norm_num_groups", 32),
                    (float) c.getDouble("norm_eps", 1e-5),
                    c.getBoolean("flip_sin_to_cos", true),
                    c.getDouble("freq_shift", 0),
                    c.getString("act_fn", "silu"),
                    c.getInt("downsample_padding", 1),
                    c.getDouble("mid_block_scale_factor", 1.0),
                    c.getNullableInt("sample_size"),
                    textTime(c));
            c.getInt("addition_embed_type_num_heads", 64); // only the "text" addition embedding reads it
            c.rejectUnknownKeys();
            return config;
        } catch (IllegalArgumentException e) {
            throw c.invalid(e.getMessage());
        }
    }

    // Options of UNet2DConditionModel that Stable Diffusion 1.x/2.x and SDXL leave at their defaults.
    private static void requireUnused(DiffusersConfig c) {
        c.requireDefault("center_input_sample", false);
        c.requireDefault("only_cross_attention", false);
        c.requireDefault("dual_cross_attention", false);
        c.requireDefault("dropout", 0.0);
        c.requireDefault("class_embed_type", null);
        c.requireDefault("num_class_embeds", null);
        c.requireDefault("class_embeddings_concat", false);
        c.requireDefault("encoder_hid_dim", null);
        c.requireDefault("encoder_hid_dim_type", null);
        c.requireDefault("resnet_time_scale_shift", "default");
        c.requireDefault("resnet_skip_time_act", false);
        c.requireDefault("resnet_out_scale_factor", 1.0);
        c.requireDefault("time_embedding_type", "positional");
        c.requireDefault("time_embedding_dim", null);
        c.requireDefault("time_embedding_act_fn", null);
        c.requireDefault("timestep_post_act", null);
        c.requireDefault("time_cond_proj_dim", null);
        c.requireDefault("conv_in_kernel", 3);
        c.requireDefault("conv_out_kernel", 3);
        c.requireDefault("attention_type", "default");
        c.requireDefault("mid_block_only_cross_attention", null);
        c.requireDefault("cross_attention_norm", null);
        c.requireDefault("reverse_transformer_layers_per_block", null);
    }

    /** SDXL's text_time embedding when {@code addition_embed_type} says so; no other addition embedding is implemented. */
    private static TextTimeConfig textTime(DiffusersConfig c) {
        String type = c.getString("addition_embed_type", null);
        if (type == null) {
            c.requireDefault("addition_time_embed_dim", null);
            c.requireDefault("projection_class_embeddings_input_dim", null); // class_embed_type "projection" is off too
            return null;
        }
        if (!type.equals(TEXT_TIME)) {
            throw c.invalid("'addition_embed_type' = " + type + " is not supported (only " + TEXT_TIME + " or null)");
        }
        Integer timeDim = c.getNullableInt("addition_time_embed_dim");
        Integer inputDim = c.getNullableInt("projection_class_embeddings_input_dim");
        if (timeDim == null || inputDim == null) {
            throw c.invalid("addition_embed_type text_time needs 'addition_time_embed_dim' and"
                    + " 'projection_class_embeddings_input_dim'");
        }
        return new TextTimeConfig(timeDim, inputDim);
    }

    public int blocks() {
        return blockOutChannels.size();
    }

    /** Width of the time embedding: 4x the first block's channels. */
    public int timeEmbedDim() {
        return 4 * blockOutChannels.get(0);
    }
}
