package org.sdspark.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.clip.ClipTextConfig;
import org.sdspark.model.clip.ClipTextModel;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.unet.UNetConfig;
import org.sdspark.model.vae.AutoencoderKL;
import org.sdspark.model.vae.VaeConfig;

/**
 * The key maps and config inference at real SD 1.5, SD 2.1 and SDXL base 1.0 sizes, on the parameter names and
 * shapes the sdspark models themselves ask for. The weights are one broadcast zero each, so no
 * gigabytes are allocated.
 */
class SdShapesKeyMapTest {
    private static NDManager manager;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void sd15() throws IOException {
        UNetConfig unetConfig = UNetConfig.read(write("unet15.json", """
                {"_class_name": "UNet2DConditionModel", "act_fn": "silu", "attention_head_dim": 8,
                 "block_out_channels": [320, 640, 1280, 1280], "center_input_sample": false, "cross_attention_dim": 768,
                 "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
                 "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
                 "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32, "out_channels": 4, "sample_size": 64,
                 "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]}"""));
        VaeConfig vaeConfig = VaeConfig.read(write("vae.json", """
                {"_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [128, 256, 512, 512],
                 "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "in_channels": 3, "latent_channels": 4, "layers_per_block": 2, "norm_num_groups": 32, "out_channels": 3,
                 "sample_size": 512, "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]}"""));
        ClipTextConfig textConfig = ClipTextConfig.load(write("clip-l.json", """
                {"architectures": ["CLIPTextModel"], "bos_token_id": 0, "eos_token_id": 2, "hidden_act": "quick_gelu",
                 "hidden_size": 768, "intermediate_size": 3072, "layer_norm_eps": 1e-05, "max_position_embeddings": 77,
                 "model_type": "clip_text_model", "num_attention_heads": 12, "num_hidden_layers": 12, "pad_token_id": 1,
                 "projection_dim": 768, "vocab_size": 49408}"""));

        Map<String, long[]> unet = unetShapes(unetConfig);
        Map<String, long[]> vae = vaeShapes(vaeConfig);
        Map<String, long[]> text = textShapes(textConfig);
        assertThat(unet).hasSize(686);
        assertThat(vae).hasSize(248);
        assertThat(text).hasSize(196);
        assertThat(DiffusersKeyNames.unet(List.of(320, 640, 1280, 1280), List.of(true, true, true, false),
                List.of(false, true, true, true), 2)).containsExactlyInAnyOrderElementsOf(unet.keySet());
        assertThat(DiffusersKeyNames.vae(List.of(128, 256, 512, 512), 2)).containsExactlyInAnyOrderElementsOf(vae.keySet());

        Map<String, long[]> original = new LinkedHashMap<>();
        convert(original, UnetKeyMap.of(UnetLayout.of(unetConfig)), unet, CheckpointFamily.UNET_PREFIX);
        convert(original, VaeKeyMap.of(VaeLayout.of(vaeConfig)), vae, CheckpointFamily.VAE_PREFIX);
        convert(original, TextEncoderKeyMap.clip(), text, CheckpointFamily.SD1.textEncoderPrefix());
        assertThat(original).hasSize(686 + 248 + 196);
        assertShape(original, "model.diffusion_model.output_blocks.11.0.skip_connection.weight", 320, 640, 1, 1);
        assertShape(original, "model.diffusion_model.input_blocks.2.1.transformer_blocks.0.attn2.to_k.weight", 320, 768);
        assertShape(original, "model.diffusion_model.output_blocks.8.2.conv.weight", 640, 640, 3, 3);
        assertShape(original, "model.diffusion_model.middle_block.1.proj_in.weight", 1280, 1280, 1, 1);
        assertShape(original, "first_stage_model.encoder.mid.attn_1.q.weight", 512, 512, 1, 1);
        assertShape(original, "first_stage_model.decoder.up.0.block.0.nin_shortcut.weight", 128, 256, 1, 1);
        assertShape(original, "first_stage_model.decoder.up.3.upsample.conv.weight", 512, 512, 3, 3);
        assertShape(original, "cond_stage_model.transformer.text_model.encoder.layers.11.mlp.fc2.weight", 768, 3072);

        ConfigInference.Configs inferred = ConfigInference.infer(original, false, "sd15");
        assertThat(inferred.family()).isEqualTo(CheckpointFamily.SD1);
        assertThat(UNetConfig.read(write("inferred-unet15.json", inferred.unet().toString()))).isEqualTo(unetConfig);
        assertThat(VaeConfig.read(write("inferred-vae15.json", inferred.vae().toString()))).isEqualTo(vaeConfig);
        assertThat(ClipTextConfig.load(write("inferred-clip.json", inferred.textEncoder().toString()))).isEqualTo(textConfig);
    }

    @Test
    void sd21() throws IOException {
        UNetConfig unetConfig = UNetConfig.read(write("unet21.json", """
                {"_class_name": "UNet2DConditionModel", "act_fn": "silu", "attention_head_dim": [5, 10, 20, 20],
                 "block_out_channels": [320, 640, 1280, 1280], "center_input_sample": false, "cross_attention_dim": 1024,
                 "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
                 "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
                 "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32, "out_channels": 4, "sample_size": 96,
                 "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
                 "upcast_attention": true, "use_linear_projection": true}"""));
        ClipTextConfig textConfig = ClipTextConfig.load(write("openclip-h.json", """
                {"architectures": ["CLIPTextModel"], "bos_token_id": 0, "eos_token_id": 2, "hidden_act": "gelu",
                 "hidden_size": 1024, "intermediate_size": 4096, "layer_norm_eps": 1e-05, "max_position_embeddings": 77,
                 "model_type": "clip_text_model", "num_attention_heads": 16, "num_hidden_layers": 23, "pad_token_id": 1,
                 "projection_dim": 512, "vocab_size": 49408}"""));
        Map<String, long[]> unet = unetShapes(unetConfig);
        Map<String, long[]> text = textShapes(textConfig);
        Map<String, long[]> original = new LinkedHashMap<>();
        convert(original, UnetKeyMap.of(UnetLayout.of(unetConfig)), unet, CheckpointFamily.UNET_PREFIX);
        convert(original, TextEncoderKeyMap.openClip(23), text, CheckpointFamily.SD2.textEncoderPrefix());
        assertShape(original, "model.diffusion_model.input_blocks.1.1.proj_in.weight", 320, 320);
        assertShape(original, "model.diffusion_model.input_blocks.2.1.transformer_blocks.0.attn2.to_k.weight", 320, 1024);
        assertShape(original, "cond_stage_model.model.transformer.resblocks.22.attn.in_proj_weight", 3072, 1024);
        assertShape(original, "cond_stage_model.model.transformer.resblocks.0.attn.in_proj_bias", 3072);
        assertShape(original, "cond_stage_model.model.positional_embedding", 77, 1024);
        assertThat(original.keySet()).filteredOn(k -> k.startsWith("cond_stage_model.")).hasSize(4 + 23 * (16 - 6 + 2)); // q, k, v weights and biases fused into two
        // LDM's own SD 2.x files carry OpenCLIP's 24th layer; SD 2.x does not use it
        original.put("cond_stage_model.model.transformer.resblocks.23.mlp.c_fc.weight", new long[] {4096, 1024});
        VaeConfig vaeConfig = VaeConfig.read(write("vae21.json", """
                {"block_out_channels": [128, 256, 512, 512], "layers_per_block": 2, "sample_size": 768,
                 "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]}"""));
        convert(original, VaeKeyMap.of(VaeLayout.of(vaeConfig)), vaeShapes(vaeConfig), CheckpointFamily.VAE_PREFIX);

        ConfigInference.Configs inferred = ConfigInference.infer(original, true, "sd21");
        assertThat(inferred.family()).isEqualTo(CheckpointFamily.SD2);
        assertThat(UNetConfig.read(write("inferred-unet21.json", inferred.unet().toString()))).isEqualTo(unetConfig);
        assertThat(VaeConfig.read(write("inferred-vae21.json", inferred.vae().toString()))).isEqualTo(vaeConfig);
        assertThat(ClipTextConfig.load(write("inferred-openclip.json", inferred.textEncoder().toString()))).isEqualTo(textConfig);
        assertThat(inferred.scheduler().get("prediction_type").asText()).isEqualTo("v_prediction");
    }

    @Test
    void sdxlBase() throws IOException {
        UNetConfig unetConfig = UNetConfig.read(write("unet-xl.json", """
                {"_class_name": "UNet2DConditionModel", "act_fn": "silu", "addition_embed_type": "text_time",
                 "addition_embed_type_num_heads": 64, "addition_time_embed_dim": 256, "attention_head_dim": [5, 10, 20],
                 "block_out_channels": [320, 640, 1280], "center_input_sample": false, "cross_attention_dim": 2048,
                 "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
                 "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
                 "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32, "num_attention_heads": null,
                 "out_channels": 4, "projection_class_embeddings_input_dim": 2816, "sample_size": 128,
                 "transformer_layers_per_block": [1, 2, 10],
                 "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
                 "upcast_attention": null, "use_linear_projection": true}"""));
        VaeConfig vaeConfig = VaeConfig.read(write("vae-xl.json", """
                {"block_out_channels": [128, 256, 512, 512], "layers_per_block": 2, "sample_size": 1024,
                 "scaling_factor": 0.13025, "force_upcast": true,
                 "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]}"""));
        ClipTextConfig clipL = ClipTextConfig.load(write("clip-l-xl.json", """
                {"architectures": ["CLIPTextModel"], "bos_token_id": 0, "eos_token_id": 2, "hidden_act": "quick_gelu",
                 "hidden_size": 768, "intermediate_size": 3072, "layer_norm_eps": 1e-05, "max_position_embeddings": 77,
                 "num_attention_heads": 12, "num_hidden_layers": 12, "pad_token_id": 1, "projection_dim": 768,
                 "vocab_size": 49408}"""));
        ClipTextConfig bigG = ClipTextConfig.load(write("openclip-bigg.json", """
                {"architectures": ["CLIPTextModelWithProjection"], "bos_token_id": 0, "eos_token_id": 2,
                 "hidden_act": "gelu", "hidden_size": 1280, "intermediate_size": 5120, "layer_norm_eps": 1e-05,
                 "max_position_embeddings": 77, "num_attention_heads": 20, "num_hidden_layers": 32, "pad_token_id": 1,
                 "projection_dim": 1280, "vocab_size": 49408}"""));
        Map<String, long[]> original = new LinkedHashMap<>();
        convert(original, UnetKeyMap.of(UnetLayout.of(unetConfig)), unetShapes(unetConfig), CheckpointFamily.UNET_PREFIX);
        convert(original, VaeKeyMap.of(VaeLayout.of(vaeConfig)), vaeShapes(vaeConfig), CheckpointFamily.VAE_PREFIX);
        convert(original, TextEncoderKeyMap.clip(), textShapes(clipL), CheckpointFamily.SDXL.textEncoderPrefix());
        convert(original, TextEncoderKeyMap.openClipWithProjection(32), textShapes(bigG),
                CheckpointFamily.SDXL.textEncoder2Prefix());
        // names and shapes as sd_xl_base_1.0.safetensors has them
        assertShape(original, "model.diffusion_model.label_emb.0.0.weight", 1280, 2816);
        assertShape(original, "model.diffusion_model.label_emb.0.2.weight", 1280, 1280);
        assertShape(original, "model.diffusion_model.input_blocks.1.0.in_layers.2.weight", 320, 320, 3, 3);
        assertShape(original, "model.diffusion_model.input_blocks.4.1.proj_in.weight", 640, 640);
        assertShape(original, "model.diffusion_model.input_blocks.8.1.transformer_blocks.9.attn2.to_k.weight", 1280, 2048);
        assertShape(original, "model.diffusion_model.middle_block.1.transformer_blocks.9.ff.net.0.proj.weight", 10240, 1280);
        assertShape(original, "model.diffusion_model.output_blocks.2.2.conv.weight", 1280, 1280, 3, 3);
        assertShape(original, "model.diffusion_model.output_blocks.5.2.conv.weight", 640, 640, 3, 3);
        assertShape(original, "model.diffusion_model.output_blocks.8.0.skip_connection.weight", 320, 640, 1, 1);
        assertShape(original, "conditioner.embedders.0.transformer.text_model.encoder.layers.11.mlp.fc2.weight", 768, 3072);
        assertShape(original, "conditioner.embedders.1.model.transformer.resblocks.31.attn.in_proj_weight", 3840, 1280);
        assertShape(original, "conditioner.embedders.1.model.text_projection", 1280, 1280);
        assertShape(original, "conditioner.embedders.1.model.positional_embedding", 77, 1280);
        assertThat(original.keySet()).noneMatch(k -> k.startsWith("model.diffusion_model.input_blocks.1.1."));

        ConfigInference.Configs inferred = ConfigInference.infer(original, false, "sdxl");
        assertThat(inferred.family()).isEqualTo(CheckpointFamily.SDXL);
        assertThat(UNetConfig.read(write("inferred-unet-xl.json", inferred.unet().toString()))).isEqualTo(unetConfig);
        assertThat(VaeConfig.read(write("inferred-vae-xl.json", inferred.vae().toString()))).isEqualTo(vaeConfig);
        assertThat(ClipTextConfig.load(write("inferred-clip-l.json", inferred.textEncoder().toString()))).isEqualTo(clipL);
        assertThat(ClipTextConfig.load(write("inferred-bigg.json", inferred.textEncoder2().toString()))).isEqualTo(bigG);
        assertThat(inferred.scheduler().get("_class_name").asText()).isEqualTo("EulerDiscreteScheduler");
    }

    private static StateDict names() {
        return StateDict.initialised(manager, "names only", (m, key, shape) -> m.zeros(new Shape(1)).broadcast(shape));
    }

    private static Map<String, long[]> unetShapes(UNetConfig config) {
        try (UNet2DConditionModel model = UNet2DConditionModel.from(config, names())) {
            return shapes(model.stateDict());
        }
    }

    private static Map<String, long[]> vaeShapes(VaeConfig config) {
        try (AutoencoderKL model = AutoencoderKL.from(config, names())) {
            return shapes(model.stateDict());
        }
    }

    private static Map<String, long[]> textShapes(ClipTextConfig config) {
        try (ClipTextModel model = ClipTextModel.of(config, names())) {
            Map<String, long[]> out = new LinkedHashMap<>();
            shapes(model.weights()).forEach((k, v) -> out.put(TextEncoderKeyMap.canonical(k), v));
            return out;
        }
    }

    private static Map<String, long[]> shapes(StateDict dict) {
        Map<String, long[]> out = new LinkedHashMap<>();
        dict.tensors().forEach((k, v) -> out.put(k, v.getShape().getShape()));
        return out;
    }

    private static void convert(Map<String, long[]> out, KeyMap map, Map<String, long[]> diffusers, String prefix) {
        for (Correspondence c : map.fromDiffusers(diffusers.keySet())) {
            long[] s = diffusers.get(c.diffusers().get(0));
            if (c instanceof Correspondence.Fused) {
                s = s.clone();
                s[0] *= c.diffusers().size();
            } else if (c instanceof Correspondence.LinearAsConv) {
                s = new long[] {s[0], s[1], 1, 1};
            } else if (c instanceof Correspondence.Transposed) {
                s = new long[] {s[1], s[0]};
            }
            assertThat(out.put(prefix + c.original(), s)).as("one tensor per original key: " + c).isNull();
        }
    }

    private static void assertShape(Map<String, long[]> shapes, String key, long... expected) {
        assertThat(shapes).containsKey(key);
        assertThat(shapes.get(key)).as(key).containsExactly(expected);
    }

    private static Path write(String name, String json) throws IOException {
        return Files.writeString(dir.resolve(name), json);
    }
}
