package org.sdspark.model.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Diffusers component configs (config.json contents) for an original-layout checkpoint that came
 * without them, read off its tensor shapes: channels, levels, resnets per level, which levels
 * attend, transformer depth per level, cross-attention width, linear or conv projections, text
 * encoder widths and depths, SDXL's added-embedding widths. What weights cannot tell takes the
 * SD 1.x / 2.x / SDXL values: attention heads (SD1: 8 per block, the diffusers quirk; SD2 and SDXL:
 * 64-channel heads), group norm 32, activation, token ids, scaling factor, the scheduler, and
 * v-prediction, which only the user knows.
 */
public final class ConfigInference {
    /** Text encoder layers SD 2.x uses (of OpenCLIP ViT-H's 24). */
    public static final int SD2_TEXT_LAYERS = 23;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INPUT_BLOCK = Pattern.compile("^input_blocks\\.(\\d+)\\.");
    private static final Pattern RESBLOCK = Pattern.compile("^transformer\\.resblocks\\.(\\d+)\\.");
    private static final Pattern CLIP_LAYER = Pattern.compile("^text_model\\.encoder\\.layers\\.(\\d+)\\.");
    private static final Pattern VAE_LEVEL = Pattern.compile("^encoder\\.down\\.(\\d+)\\.block\\.(\\d+)\\.");
    private static final Pattern TRANSFORMER_BLOCK = Pattern.compile("^transformer_blocks\\.(\\d+)\\.");
    /** SDXL's original size, crop top-left and target size. */
    private static final int SDXL_TIME_IDS = 6;

    /** The inferred configs of one checkpoint; {@code textEncoder2} only for SDXL, else null. */
    public record Configs(CheckpointFamily family, ObjectNode unet, ObjectNode vae, ObjectNode textEncoder,
                          ObjectNode textEncoder2, ObjectNode scheduler) {
    }

    private final Map<String, long[]> shapes;
    private final String source;

    private ConfigInference(Map<String, long[]> shapes, String source) {
        this.shapes = shapes;
        this.source = source;
    }

    /**
     * @param shapes every tensor of the checkpoint, original key -> shape
     * @param source the file, for error messages
     */
    public static Configs infer(Map<String, long[]> shapes, boolean vPrediction, String source) {
        ConfigInference inf = new ConfigInference(shapes, source);
        CheckpointFamily family = CheckpointFamily.of(shapes.keySet());
        return switch (family) {
            case SD1 -> new Configs(family, inf.unet(family, vPrediction), inf.vae(family, vPrediction),
                    inf.clip(family.textEncoderPrefix()), null, scheduler(vPrediction));
            case SD2 -> new Configs(family, inf.unet(family, vPrediction), inf.vae(family, vPrediction),
                    inf.openClip(), null, scheduler(vPrediction));
            case SDXL -> new Configs(family, inf.unet(family, vPrediction), inf.vae(family, vPrediction),
                    inf.clip(family.textEncoderPrefix()), inf.openClipWithProjection(), sdxlScheduler(vPrediction));
        };
    }

    private ObjectNode unet(CheckpointFamily family, boolean vPrediction) {
        String p = CheckpointFamily.UNET_PREFIX;
        int[] convIn = shape(p + "input_blocks.0.0.weight");
        List<Integer> channels = new ArrayList<>();
        List<Boolean> attention = new ArrayList<>();
        List<Integer> depth = new ArrayList<>();
        int layers = 0;
        int inLevel = 0;
        int blocks = 1 + maxIndex(p, INPUT_BLOCK);
        for (int i = 1; i < blocks; i++) {
            String block = p + "input_blocks." + i + ".";
            if (shapes.containsKey(block + "0.op.weight")) {
                inLevel = 0;
                continue;
            }
            int out = shape(block + "0.in_layers.2.weight")[0];
            if (inLevel == 0) {
                channels.add(out);
                attention.add(shapes.containsKey(block + "1.proj_in.weight"));
                depth.add(Math.max(1, 1 + maxIndex(block + "1.", TRANSFORMER_BLOCK)));
            }
            inLevel++;
            layers = Math.max(layers, inLevel);
        }
        if (channels.isEmpty()) {
            throw new IllegalArgumentException(source + ": no UNet resnets under " + p + "input_blocks");
        }
        String anyAttention = firstKey(p, "1.transformer_blocks.0.attn2.to_k.weight");
        int crossDim = shape(anyAttention)[1];
        boolean linearProj = shape(anyAttention.replace("transformer_blocks.0.attn2.to_k.weight", "proj_in.weight")).length == 2;

        ObjectNode c = JSON.createObjectNode();
        c.put("_class_name", "UNet2DConditionModel");
        c.put("act_fn", "silu");
        if (family == CheckpointFamily.SDXL) {
            textTime(c, p);
        }
        if (family == CheckpointFamily.SD1) {
            c.put("attention_head_dim", 8);
        } else {
            ArrayNode heads = c.putArray("attention_head_dim");
            channels.forEach(ch -> heads.add(ch / 64));
        }
        c.set("block_out_channels", ints(channels));
        c.put("center_input_sample", false);
        c.put("cross_attention_dim", crossDim);
        ArrayNode down = c.putArray("down_block_types");
        attention.forEach(a -> down.add(a ? "CrossAttnDownBlock2D" : "DownBlock2D"));
        c.put("downsample_padding", 1);
        c.put("flip_sin_to_cos", true);
        c.put("freq_shift", 0);
        c.put("in_channels", convIn[1]);
        c.put("layers_per_block", layers);
        c.put("mid_block_scale_factor", 1);
        c.put("norm_eps", 1e-5);
        c.put("norm_num_groups", 32);
        c.put("out_channels", shape(p + "out.2.weight")[0]);
        c.put("sample_size", family == CheckpointFamily.SDXL ? 128 : vPrediction ? 96 : 64);
        if (depth.stream().distinct().count() == 1) {
            c.put("transformer_layers_per_block", depth.get(0));
        } else {
            c.set("transformer_layers_per_block", ints(depth));
        }
        ArrayNode up = c.putArray("up_block_types");
        for (int i = attention.size() - 1; i >= 0; i--) {
            up.add(attention.get(i) ? "CrossAttnUpBlock2D" : "UpBlock2D");
        }
        // Attention scores in fp32 only matter at half precision, where SD 2.x needs them.
        c.put("upcast_attention", family == CheckpointFamily.SD2);
        c.put("use_linear_projection", linearProj);
        return c;
    }

    /**
     * SDXL's label_emb takes the pooled text embedding (the second encoder's projection width) and
     * six time ids of addition_time_embed_dim features each.
     */
    private void textTime(ObjectNode c, String p) {
        int input = shape(p + "label_emb.0.0.weight")[1];
        int pooled = shape(CheckpointFamily.SDXL.textEncoder2Prefix() + "text_projection")[1];
        if ((input - pooled) <= 0 || (input - pooled) % SDXL_TIME_IDS != 0) {
            throw new IllegalArgumentException(source + ": label_emb takes " + input + " features, which is not the "
                    + pooled + " of text_projection plus " + SDXL_TIME_IDS + " equal time embeddings");
        }
        c.put("addition_embed_type", "text_time");
        c.put("addition_time_embed_dim", (input - pooled) / SDXL_TIME_IDS);
        c.put("projection_class_embeddings_input_dim", input);
    }

    private ObjectNode vae(CheckpointFamily family, boolean vPrediction) {
        String p = CheckpointFamily.VAE_PREFIX;
        List<Integer> channels = new ArrayList<>();
        int layers = 0;
        for (String key : shapes.keySet()) {
            Matcher m = key.startsWith(p) ? VAE_LEVEL.matcher(key.substring(p.length())) : null;
            if (m != null && m.find()) {
                layers = Math.max(layers, Integer.parseInt(m.group(2)) + 1);
            }
        }
        for (int i = 0; shapes.containsKey(p + "encoder.down." + i + ".block.0.conv1.weight"); i++) {
            channels.add(shape(p + "encoder.down." + i + ".block.0.conv1.weight")[0]);
        }
        if (channels.isEmpty()) {
            throw new IllegalArgumentException(source + ": no VAE encoder under " + p + "encoder.down");
        }
        ObjectNode c = JSON.createObjectNode();
        c.put("_class_name", "AutoencoderKL");
        c.put("act_fn", "silu");
        c.set("block_out_channels", ints(channels));
        ArrayNode down = c.putArray("down_block_types");
        ArrayNode up = c.putArray("up_block_types");
        for (int i = 0; i < channels.size(); i++) {
            down.add("DownEncoderBlock2D");
            up.add("UpDecoderBlock2D");
        }
        c.put("in_channels", shape(p + "encoder.conv_in.weight")[1]);
        c.put("latent_channels", shape(p + "encoder.conv_out.weight")[0] / 2);
        c.put("layers_per_block", layers);
        c.put("norm_num_groups", 32);
        c.put("out_channels", shape(p + "decoder.conv_out.weight")[0]);
        if (family == CheckpointFamily.SDXL) {
            // SDXL's VAE overflows in float16; diffusers decodes it in float32 (as sdspark always does)
            c.put("force_upcast", true);
            c.put("sample_size", 1024);
            c.put("scaling_factor", 0.13025);
        } else {
            c.put("sample_size", family == CheckpointFamily.SD2 && vPrediction ? 768 : 512);
            c.put("scaling_factor", 0.18215);
        }
        return c;
    }

    /** CLIP ViT-L under transformers' names (SD 1.x, SDXL's first encoder). */
    private ObjectNode clip(String prefix) {
        String p = prefix + "text_model.";
        int[] tokens = shape(p + "embeddings.token_embedding.weight");
        return textConfig(tokens, shape(p + "embeddings.position_embedding.weight")[0],
                1 + maxIndex(prefix, CLIP_LAYER), shape(p + "encoder.layers.0.mlp.fc1.weight")[0], "quick_gelu", 768);
    }

    // SD 2.x conditions on the penultimate layer of OpenCLIP's 24, so its diffusers text encoder has
    // 23: LDM checkpoints store all 24, diffusers' conversion script writes 23.
    private ObjectNode openClip() {
        String p = CheckpointFamily.SD2.textEncoderPrefix();
        int[] tokens = shape(p + "token_embedding.weight");
        int stored = 1 + maxIndex(p, RESBLOCK);
        return textConfig(tokens, shape(p + "positional_embedding")[0], Math.min(stored, SD2_TEXT_LAYERS),
                shape(p + "transformer.resblocks.0.mlp.c_fc.weight")[0], "gelu", 512);
    }

    // SDXL conditions on the penultimate of all its layers, so its diffusers text_encoder_2 keeps them all.
    private ObjectNode openClipWithProjection() {
        String p = CheckpointFamily.SDXL.textEncoder2Prefix();
        int[] tokens = shape(p + "token_embedding.weight");
        ObjectNode c = textConfig(tokens, shape(p + "positional_embedding")[0], 1 + maxIndex(p, RESBLOCK),
                shape(p + "transformer.resblocks.0.mlp.c_fc.weight")[0], "gelu", shape(p + "text_projection")[1]);
        c.putArray("architectures").add("CLIPTextModelWithProjection");
        return c;
    }

    private static ObjectNode textConfig(int[] tokens, long positions, int layers, long intermediate, String act,
                                         int projection) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("CLIPTextModel");
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", 0);
        c.put("eos_token_id", 2);
        c.put("hidden_act", act);
        c.put("hidden_size", tokens[1]);
        c.put("initializer_factor", 1.0);
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", intermediate);
        c.put("layer_norm_eps", 1e-5);
        c.put("max_position_embeddings", positions);
        c.put("model_type", "clip_text_model");
        c.put("num_attention_heads", tokens[1] / 64);
        c.put("num_hidden_layers", layers);
        c.put("pad_token_id", 1);
        c.put("projection_dim", projection);
        c.put("vocab_size", tokens[0]);
        return c;
    }

    /** The SD 1.5 / 2.x scheduler_config.json (PNDM, scaled_linear 0.00085-0.012, leading spacing). */
    static ObjectNode scheduler(boolean vPrediction) {
        ObjectNode c = JSON.createObjectNode();
        c.put("_class_name", "PNDMScheduler");
        c.put("beta_end", 0.012);
        c.put("beta_schedule", "scaled_linear");
        c.put("beta_start", 0.00085);
        c.put("clip_sample", false);
        c.put("num_train_timesteps", 1000);
        c.put("prediction_type", vPrediction ? "v_prediction" : "epsilon");
        c.put("set_alpha_to_one", false);
        c.put("skip_prk_steps", true);
        c.put("steps_offset", 1);
        c.put("timestep_spacing", "leading");
        c.putNull("trained_betas");
        return c;
    }

    /** SDXL base 1.0's scheduler_config.json (Euler, scaled_linear 0.00085-0.012, leading spacing). */
    static ObjectNode sdxlScheduler(boolean vPrediction) {
        ObjectNode c = scheduler(vPrediction);
        c.put("_class_name", "EulerDiscreteScheduler");
        c.put("interpolation_type", "linear");
        c.put("sample_max_value", 1.0);
        c.put("use_karras_sigmas", false);
        return c;
    }

    // Config values are JSON ints, as diffusers writes them.
    private int[] shape(String key) {
        long[] s = shapes.get(key);
        if (s == null) {
            throw new IllegalArgumentException(source + ": cannot infer the configs, tensor " + key
                    + " is missing (pass --config DIR with the model's diffusers configs)");
        }
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Math.toIntExact(s[i]);
        }
        return out;
    }

    private String firstKey(String prefix, String suffix) {
        return shapes.keySet().stream().filter(k -> k.startsWith(prefix) && k.endsWith(suffix)).sorted().findFirst()
                .orElseThrow(() -> new IllegalArgumentException(source + ": no UNet cross-attention ("
                        + prefix + "*" + suffix + "); not a text-to-image Stable Diffusion checkpoint"));
    }

    private int maxIndex(String prefix, Pattern pattern) {
        int max = -1;
        for (String key : shapes.keySet()) {
            if (key.startsWith(prefix)) {
                Matcher m = pattern.matcher(key.substring(prefix.length()));
                if (m.find()) {
                    max = Math.max(max, Integer.parseInt(m.group(1)));
                }
            }
        }
        return max;
    }

    private static ArrayNode ints(List<Integer> values) {
        ArrayNode a = JSON.createArrayNode();
        values.forEach(a::add);
        return a;
    }
}
