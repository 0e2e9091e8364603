package org.sdspark.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.io.TensorInfo;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.unet.UNetConfig;

class ConfigInferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> UNET_SHAPE_FIELDS = List.of("block_out_channels", "layers_per_block",
            "down_block_types", "up_block_types", "cross_attention_dim", "in_channels", "out_channels",
            "use_linear_projection", "transformer_layers_per_block");
    private static final List<String> VAE_SHAPE_FIELDS = List.of("block_out_channels", "layers_per_block",
            "down_block_types", "up_block_types", "in_channels", "out_channels", "latent_channels", "scaling_factor");
    private static final List<String> TEXT_SHAPE_FIELDS = List.of("hidden_size", "num_hidden_layers",
            "intermediate_size", "vocab_size", "max_position_embeddings", "hidden_act", "bos_token_id", "eos_token_id",
            "pad_token_id");

    @Test
    void sd1ConfigsFromTheTinyConvertedFile() throws IOException {
        ConfigInference.Configs c = ConfigInference.infer(shapes(Fixtures.path("tiny-sd.safetensors")), false, "tiny");
        assertThat(c.family()).isEqualTo(CheckpointFamily.SD1);
        assertFields(c.unet(), config("tiny-sd/unet/config.json"), UNET_SHAPE_FIELDS);
        assertFields(c.vae(), config("tiny-sd/vae/config.json"), VAE_SHAPE_FIELDS);
        assertFields(c.textEncoder(), config("tiny-sd/text_encoder/config.json"), TEXT_SHAPE_FIELDS);
        assertThat(c.unet().get("attention_head_dim").asInt()).isEqualTo(8);
        ObjectNode sd15Scheduler = (ObjectNode) config("tiny-sd/scheduler/scheduler_config.json");
        sd15Scheduler.remove("_diffusers_version");
        assertThat(c.scheduler()).isEqualTo(sd15Scheduler);
    }

    @Test
    void sdxlConfigsFromTheFileDiffusersSdxlScriptWrote() throws IOException {
        ConfigInference.Configs c = ConfigInference.infer(shapes(Fixtures.path("tiny-sdxl.safetensors")), false, "tiny-sdxl");
        assertThat(c.family()).isEqualTo(CheckpointFamily.SDXL);
        List<String> xlFields = new java.util.ArrayList<>(UNET_SHAPE_FIELDS);
        xlFields.addAll(List.of("addition_embed_type", "addition_time_embed_dim", "projection_class_embeddings_input_dim",
                "upcast_attention"));
        assertFields(c.unet(), config("tiny-sdxl/unet/config.json"), xlFields);
        assertThat(c.unet().get("transformer_layers_per_block").toString()).isEqualTo("[1,1,2]");
        assertThat(c.unet().get("attention_head_dim").toString()).isEqualTo("[0,0,0]"); // 64-channel heads of 8/16/32
        assertThat(c.unet().get("sample_size").asInt()).isEqualTo(128);
        List<String> vaeFields = new java.util.ArrayList<>(VAE_SHAPE_FIELDS);
        vaeFields.add("force_upcast");
        assertFields(c.vae(), config("tiny-sdxl/vae/config.json"), vaeFields);
        assertFields(c.textEncoder(), config("tiny-sdxl/text_encoder/config.json"), TEXT_SHAPE_FIELDS);
        List<String> text2Fields = new java.util.ArrayList<>(TEXT_SHAPE_FIELDS);
        text2Fields.addAll(List.of("projection_dim", "architectures"));
        assertFields(c.textEncoder2(), config("tiny-sdxl/text_encoder_2/config.json"), text2Fields);
        ObjectNode scheduler = (ObjectNode) config("tiny-sdxl/scheduler/scheduler_config.json");
        for (String key : List.of("_class_name", "beta_start", "beta_end", "beta_schedule", "steps_offset", "timestep_spacing",
                "prediction_type", "use_karras_sigmas", "interpolation_type")) {
            assertThat(c.scheduler().get(key)).as(key).isEqualTo(scheduler.get(key));
        }
    }

    @Test
    void sd2ConfigsFromOpenClipKeysWithLinearProjections() throws IOException {
        JsonNode unetConfig = config("sd2/unet/config.json");
        Map<String, long[]> original = new LinkedHashMap<>();
        UnetLayout unet = UnetLayout.of(UNetConfig.read(Fixtures.path("sd2/unet/config.json")));
        addConverted(original, UnetKeyMap.of(unet), shapes(Fixtures.path("sd2/unet/diffusion_pytorch_model.safetensors")),
                CheckpointFamily.UNET_PREFIX);
        addConverted(original, VaeKeyMap.of(new VaeLayout(4, 1)),
                shapes(Fixtures.path("tiny-sd/vae/diffusion_pytorch_model.safetensors")), CheckpointFamily.VAE_PREFIX);
        Map<String, long[]> text = new LinkedHashMap<>();
        shapes(Fixtures.path("sd2/text_encoder/model.safetensors")).forEach((k, v) -> text.put(TextEncoderKeyMap.canonical(k), v));
        addConverted(original, TextEncoderKeyMap.openClip(3), text, CheckpointFamily.SD2.textEncoderPrefix());

        ConfigInference.Configs c = ConfigInference.infer(original, true, "sd2");
        assertThat(c.family()).isEqualTo(CheckpointFamily.SD2);
        assertFields(c.unet(), unetConfig, UNET_SHAPE_FIELDS);
        assertThat(c.unet().get("use_linear_projection").asBoolean()).isTrue();
        assertThat(c.unet().get("upcast_attention").asBoolean()).isTrue();
        assertThat(c.unet().get("attention_head_dim")).isEqualTo(JSON.readTree("[0, 0]")); // 64-channel heads of 16/32 channels
        assertThat(c.unet().get("sample_size").asInt()).isEqualTo(96);
        assertFields(c.textEncoder(), config("sd2/text_encoder/config.json"),
                List.of("hidden_size", "num_hidden_layers", "intermediate_size", "vocab_size", "hidden_act"));
        assertThat(c.scheduler().get("prediction_type").asText()).isEqualTo("v_prediction");
    }

    @Test
    void sd2TextEncoderUsesTwentyThreeOfTheStoredLayers() {
        Map<String, long[]> original = new LinkedHashMap<>(sd1Minimal());
        original.keySet().removeIf(k -> k.startsWith("cond_stage_model."));
        String p = CheckpointFamily.SD2.textEncoderPrefix();
        original.put(p + "token_embedding.weight", new long[] {49408, 1024});
        original.put(p + "positional_embedding", new long[] {77, 1024});
        for (int i = 0; i < 24; i++) {
            original.put(p + "transformer.resblocks." + i + ".mlp.c_fc.weight", new long[] {4096, 1024});
        }
        JsonNode text = ConfigInference.infer(original, false, "sd2").textEncoder();
        assertThat(text.get("num_hidden_layers").asInt()).isEqualTo(23);
        assertThat(text.get("num_attention_heads").asInt()).isEqualTo(16);
        assertThat(text.get("hidden_act").asText()).isEqualTo("gelu");
    }

    @Test
    void missingTensorNamesTheKeyAndSuggestsConfig() {
        Map<String, long[]> shapes = new LinkedHashMap<>(sd1Minimal());
        shapes.remove("first_stage_model.encoder.conv_in.weight");
        assertThatThrownBy(() -> ConfigInference.infer(shapes, false, "model.safetensors"))
                .hasMessageContaining("model.safetensors").hasMessageContaining("first_stage_model.encoder.conv_in.weight")
                .hasMessageContaining("--config");
    }

    private static Map<String, long[]> sd1Minimal() {
        try {
            return shapes(Fixtures.path("tiny-sd.safetensors"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void addConverted(Map<String, long[]> out, KeyMap map, Map<String, long[]> diffusers, String prefix) {
        for (Correspondence c : map.fromDiffusers(diffusers.keySet())) {
            long[] s = diffusers.get(c.diffusers().get(0)).clone();
            if (c instanceof Correspondence.Fused) {
                s[0] *= c.diffusers().size();
            }
            out.put(prefix + c.original(), s);
        }
    }

    private static void assertFields(JsonNode actual, JsonNode expected, List<String> fields) {
        for (String f : fields) {
            assertThat(String.valueOf(actual.get(f))).as(f).isEqualTo(String.valueOf(expected.get(f)));
        }
    }

    private static JsonNode config(String path) throws IOException {
        return JSON.readTree(Fixtures.path(path).toFile());
    }

    static Map<String, long[]> shapes(Path file) throws IOException {
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            Map<String, long[]> out = new LinkedHashMap<>();
            for (TensorInfo info : st.tensors().values()) {
                out.put(info.name(), info.shape());
            }
            return out;
        }
    }
}
