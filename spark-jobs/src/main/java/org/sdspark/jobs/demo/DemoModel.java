package org.sdspark.jobs.demo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.sdspark.model.checkpoint.CheckpointFamily;
import org.sdspark.model.clip.ClipTextConfig;
import org.sdspark.model.clip.ClipTextModel;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.pipeline.BundledTokenizer;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.unet.UNetConfig;
import org.sdspark.model.vae.AutoencoderKL;
import org.sdspark.model.vae.VaeConfig;

/**
 * The demo's Stable Diffusion pipeline, made rather than downloaded, as a diffusers folder any
 * sdspark command loads: a small UNet and CLIP text encoder of the real architectures with
 * PyTorch's default random initialisation (the UNet is trained from scratch), SD 1.x's CLIP
 * tokenizer (bundled with sdspark), SD's scaled-linear noise schedule, and the hand-set
 * {@link ColourVae} (64 px images, 8 x 8 latents).
 */
final class DemoModel {
    static final int IMAGE_SIDE = 64;
    private static final Map<String, String> FORMAT = Map.of("format", "pt");

    private DemoModel() {
    }

    static void write(Path folder, long seed) throws IOException {
        Files.createDirectories(folder);
        BundledTokenizer.files(CheckpointFamily.SD1).writeTo(folder);
        text(folder, "model_index.json", """
                {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.40.0",
                 "scheduler": ["diffusers", "DDPMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
                 "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
                 "vae": ["diffusers", "AutoencoderKL"]}
                """);
        text(folder, "scheduler/scheduler_config.json", """
                {"_class_name": "DDPMScheduler", "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
                 "num_train_timesteps": 1000, "prediction_type": "epsilon", "clip_sample": false, "set_alpha_to_one": false,
                 "steps_offset": 1, "timestep_spacing": "leading"}
                """);
        text(folder, "text_encoder/config.json", """
                {"architectures": ["CLIPTextModel"], "model_type": "clip_text_model", "hidden_act": "quick_gelu",
                 "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4, "num_hidden_layers": 2,
                 "max_position_embeddings": 77, "vocab_size": 49408, "layer_norm_eps": 1e-05, "projection_dim": 64,
                 "bos_token_id": 49406, "eos_token_id": 49407, "pad_token_id": 1}
                """);
        text(folder, "unet/config.json", """
                {"_class_name": "UNet2DConditionModel", "sample_size": 8, "in_channels": 4, "out_channels": 4,
                 "block_out_channels": [32, 64], "layers_per_block": 1, "attention_head_dim": 8, "cross_attention_dim": 64,
                 "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"], "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
                 "norm_num_groups": 8, "act_fn": "silu", "flip_sin_to_cos": true, "freq_shift": 0}
                """);
        text(folder, "vae/config.json", """
                {"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3, "latent_channels": 4,
                 "block_out_channels": [4, 4, 4, 4], "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"], "layers_per_block": 1,
                 "norm_num_groups": 1, "act_fn": "silu", "sample_size": 64, "scaling_factor": 1.0}
                """);
        Engine.getInstance().setRandomSeed((int) seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            try (UNet2DConditionModel unet = UNet2DConditionModel.random(manager, UNetConfig.read(folder.resolve("unet/config.json")))) {
                unet.stateDict().save(folder.resolve("unet/diffusion_pytorch_model.safetensors"), FORMAT);
            }
            try (ClipTextModel text = ClipTextModel.of(ClipTextConfig.load(folder.resolve("text_encoder/config.json")),
                    StateDict.random(manager, "demo text encoder"))) {
                text.weights().save(folder.resolve("text_encoder/model.safetensors"), FORMAT);
            }
            try (AutoencoderKL vae = AutoencoderKL.from(VaeConfig.read(folder.resolve("vae/config.json")),
                    StateDict.initialised(manager, "demo colour VAE", ColourVae.weights()))) {
                vae.stateDict().save(folder.resolve("vae/diffusion_pytorch_model.safetensors"), FORMAT);
            }
        }
    }

    private static void text(Path folder, String name, String content) throws IOException {
        Path file = folder.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
