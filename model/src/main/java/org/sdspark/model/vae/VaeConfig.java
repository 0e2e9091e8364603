package org.sdspark.model.vae;

import java.nio.file.Path;
import java.util.List;
import org.sdspark.model.diffusers.DiffusersConfig;

/**
 * A diffusers {@code vae/config.json} (AutoencoderKL).
 *
 * @param scalingFactor latents are multiplied by it after encoding (0.18215 for SD 1.x/2.x)
 * @param shiftFactor subtracted before scaling when present (null for SD 1.x/2.x)
 * @param forceUpcast diffusers runs this VAE in float32 even in a float16 pipeline
 */
public record VaeConfig(int inChannels, int outChannels, int latentChannels, List<Integer> blockOutChannels,
                        int layersPerBlock, int normNumGroups, String actFn, double scalingFactor, Double shiftFactor,
                        boolean useQuantConv, boolean usePostQuantConv, boolean forceUpcast, Integer sampleSize) {

    public static final String DOWN_BLOCK = "DownEncoderBlock2D";
    public static final String UP_BLOCK = "UpDecoderBlock2D";

    public VaeConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        for (int i = 0; i < blockOutChannels.size(); i++) {
            if (blockOutChannels.get(i) % normNumGroups != 0) {
                throw new IllegalArgumentException("block_out_channels[" + i + "] = " + blockOutChannels.get(i)
                        + " does not split into norm_num_groups = " + normNumGroups);
            }
        }
    }

    /** Reads {@code config.json}; unsupported options and unknown keys fail naming the key and the file. */
    public static VaeConfig read(Path file) {
        DiffusersConfig c = DiffusersConfig.read(file);
        List<Integer> blockOut = c.getInts("block_out_channels", List.of(64));
        requireTypes(c, "down_block_types", DOWN_BLOCK, blockOut.size());
        requireTypes(c, "up_block_types", UP_BLOCK, blockOut.size());
        c.requireDefault("latents_mean", null);
        c.requireDefault("latents_std", null);
        c.requireDefault("mid_block_add_attention", true);
        try {
            VaeConfig config = new VaeConfig(
                    c.getInt("in_channels", 3),
                    c.getInt("out_channels", 3),
                    c.getInt("latent_channels", 4),
                    blockOut,
                    c.getInt("layers_per_block", 1),
                    c.getInt("norm_num_groups", 32),
                    c.getString("act_fn", "silu"),
                    c.getDouble("scaling_factor", 0.18215),
                    c.getNullableDouble("shift_factor"),
                    c.getBoolean("use_quant_conv", true),
                    c.getBoolean("use_post_quant_conv", true),
                    c.getBoolean("force_upcast", true),
                    c.getNullableInt("sample_size"));
            c.rejectUnknownKeys();
            return config;
        } catch (IllegalArgumentException e) {
            throw c.invalid(e.getMessage());
        }
    }

    private static void requireTypes(DiffusersConfig c, String key, String type, int blocks) {
        List<String> types = c.getStrings(key, java.util.Collections.nCopies(blocks, type));
        if (types.size() != blocks || types.stream().anyMatch(t -> !t.equals(type))) {
            throw c.invalid("'" + key + "' = " + types + " is not supported (only " + blocks + " x " + type + ")");
        }
    }
}
