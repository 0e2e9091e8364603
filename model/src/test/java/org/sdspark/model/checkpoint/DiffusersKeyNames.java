package org.sdspark.model.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * Parameter names diffusers gives a Stable Diffusion UNet / VAE / CLIP text model of a given shape,
 * written out from the module structure so key maps can be checked at SD 1.5 / 2.x sizes without
 * their (gigabyte) weights. Checked against the models' own names: the tiny fixture in KeyMapFixtureTest,
 * SD 1.5 sizes in SdShapesKeyMapTest.
 */
final class DiffusersKeyNames {
    private final List<String> keys = new ArrayList<>();

    static List<String> unet(List<Integer> channels, List<Boolean> down, List<Boolean> up, int layersPerBlock) {
        DiffusersKeyNames n = new DiffusersKeyNames();
        n.wb("conv_in");
        n.wb("time_embedding.linear_1");
        n.wb("time_embedding.linear_2");
        int last = channels.size() - 1;
        int in = channels.get(0);
        for (int i = 0; i <= last; i++) {
            int out = channels.get(i);
            for (int j = 0; j < layersPerBlock; j++) {
                n.unetResnet("down_blocks." + i + ".resnets." + j, j == 0 ? in : out, out);
                if (down.get(i)) {
                    n.transformer("down_blocks." + i + ".attentions." + j);
                }
            }
            if (i < last) {
                n.wb("down_blocks." + i + ".downsamplers.0.conv");
            }
            in = out;
        }
        n.unetResnet("mid_block.resnets.0", in, in);
        n.transformer("mid_block.attentions.0");
        n.unetResnet("mid_block.resnets.1", in, in);
        for (int i = 0; i <= last; i++) {
            for (int j = 0; j <= layersPerBlock; j++) {
                n.unetResnet("up_blocks." + i + ".resnets." + j, 1, 2); // concatenated skips: always a shortcut
                if (up.get(i)) {
                    n.transformer("up_blocks." + i + ".attentions." + j);
                }
            }
            if (i < last) {
                n.wb("up_blocks." + i + ".upsamplers.0.conv");
            }
        }
        n.wb("conv_norm_out");
        n.wb("conv_out");
        return n.keys;
    }

    static List<String> vae(List<Integer> channels, int layersPerBlock) {
        DiffusersKeyNames n = new DiffusersKeyNames();
        int last = channels.size() - 1;
        n.wb("encoder.conv_in");
        int in = channels.get(0);
        for (int i = 0; i <= last; i++) {
            for (int j = 0; j < layersPerBlock; j++) {
                n.vaeResnet("encoder.down_blocks." + i + ".resnets." + j, j == 0 ? in : channels.get(i), channels.get(i));
            }
            if (i < last) {
                n.wb("encoder.down_blocks." + i + ".downsamplers.0.conv");
            }
            in = channels.get(i);
        }
        n.vaeMid("encoder");
        n.wb("encoder.conv_norm_out");
        n.wb("encoder.conv_out");
        n.wb("quant_conv");
        n.wb("post_quant_conv");
        n.wb("decoder.conv_in");
        n.vaeMid("decoder");
        in = channels.get(last);
        for (int i = 0; i <= last; i++) {
            int out = channels.get(last - i);
            for (int j = 0; j <= layersPerBlock; j++) {
                n.vaeResnet("decoder.up_blocks." + i + ".resnets." + j, j == 0 ? in : out, out);
            }
            if (i < last) {
                n.wb("decoder.up_blocks." + i + ".upsamplers.0.conv");
            }
            in = out;
        }
        n.wb("decoder.conv_norm_out");
        n.wb("decoder.conv_out");
        return n.keys;
    }

    static List<String> clipText(int layers) {
        DiffusersKeyNames n = new DiffusersKeyNames();
        n.keys.add("text_model.embeddings.token_embedding.weight");
        n.keys.add("text_model.embeddings.position_embedding.weight");
        for (int i = 0; i < layers; i++) {
            String l = "text_model.encoder.layers." + i;
            for (String p : List.of("self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj", "self_attn.out_proj",
                    "layer_norm1", "mlp.fc1", "mlp.fc2", "layer_norm2")) {
                n.wb(l + "." + p);
            }
        }
        n.wb("text_model.final_layer_norm");
        return n.keys;
    }

    private void wb(String module) {
        keys.add(module + ".weight");
        keys.add(module + ".bias");
    }

    private void unetResnet(String p, int in, int out) {
        for (String m : List.of("norm1", "conv1", "time_emb_proj", "norm2", "conv2")) {
            wb(p + "." + m);
        }
        if (in != out) {
            wb(p + ".conv_shortcut");
        }
    }

    private void vaeResnet(String p, int in, int out) {
        for (String m : List.of("norm1", "conv1", "norm2", "conv2")) {
            wb(p + "." + m);
        }
        if (in != out) {
            wb(p + ".conv_shortcut");
        }
    }

    private void vaeMid(String part) {
        vaeResnet(part + ".mid_block.resnets.0", 0, 0);
        for (String m : List.of("group_norm", "to_q", "to_k", "to_v", "to_out.0")) {
            wb(part + ".mid_block.attentions.0." + m);
        }
        vaeResnet(part + ".mid_block.resnets.1", 0, 0);
    }

    private void transformer(String p) {
        wb(p + ".norm");
        wb(p + ".proj_in");
        String b = p + ".transformer_blocks.0";
        for (String attn : List.of("attn1", "attn2")) {
            keys.add(b + "." + attn + ".to_q.weight");
            keys.add(b + "." + attn + ".to_k.weight");
            keys.add(b + "." + attn + ".to_v.weight");
            wb(b + "." + attn + ".to_out.0");
        }
        for (String m : List.of("norm1", "norm2", "norm3", "ff.net.0.proj", "ff.net.2")) {
            wb(b + "." + m);
        }
        wb(p + ".proj_out");
    }
}
