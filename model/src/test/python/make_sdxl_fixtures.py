"""Generates the SDXL parity fixtures (model/src/test/resources/fixtures/tiny-sdxl*, io/*_sdxl*, pipeline_sdxl/).

Runs like make_fixtures.py (torch, transformers and a diffusers source checkout on PYTHONPATH; CPU only):

    python3 make_sdxl_fixtures.py OUT_DIR TOKENIZER_DIR CONVERT_SCRIPT

TOKENIZER_DIR is the committed tiny CLIP tokenizer (fixtures/tiny-sd/tokenizer); CONVERT_SCRIPT is diffusers'
scripts/convert_diffusers_to_original_sdxl.py. Every part runs on its own: a failing part is logged and the others
still write their files. References are float64 on the CPU, stored as F32 (integers as I64). Everything is seeded.
"""

import json
import os
import shutil
import sys
import traceback

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

import diffusers
import transformers
from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLPipeline, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

import fixture_common
from fixture_common import LOG, MAX_LEN, assert_same_weights, gen, ids_of, log, print_files, randomise, write_json

OUT = fixture_common.set_output(sys.argv[1])
TOKENIZER = os.path.abspath(sys.argv[2])
CONVERT = os.path.abspath(sys.argv[3])
FAILED = []

# The layout of SDXL base 1.0 at toy width: three levels, no attention in the first, two resnets per level (the
# conversion script hard-codes that), linear projections, per-block transformer depth (mirrored on the way up),
# text_time added conditioning. SDXL's own values: channels (320, 640, 1280), heads (5, 10, 20), depth (1, 2, 10),
# cross attention 768 + 1280, addition_time_embed_dim 256, projection input 1280 + 6 * 256.
UNET = dict(
    sample_size=8, in_channels=4, out_channels=4, block_out_channels=(8, 16, 32), layers_per_block=2,
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    attention_head_dim=(1, 2, 4), transformer_layers_per_block=(1, 1, 2), use_linear_projection=True,
    cross_attention_dim=32 + 48, addition_embed_type="text_time", addition_time_embed_dim=8,
    projection_class_embeddings_input_dim=40 + 6 * 8, norm_num_groups=4)
VAE = dict(
    in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
    block_out_channels=(16, 16, 32, 32), latent_channels=4, layers_per_block=1, norm_num_groups=8, sample_size=64,
    scaling_factor=0.13025, force_upcast=True)
SCHEDULER = dict(
    num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1,
    timestep_spacing="leading", interpolation_type="linear", use_karras_sigmas=False, prediction_type="epsilon",
    sample_max_value=1.0, set_alpha_to_one=False, skip_prk_steps=True, clip_sample=False, trained_betas=None)
PROMPTS = ["a photo of sks dog", "a painting of a castle on a hill, 8k!!!"]


def part(name, fn, *args):
    try:
        result = fn(*args)
        log(f"part {name}: ok")
        return result
    except Exception:
        FAILED.append(name)
        log(f"part {name}: FAILED\n{traceback.format_exc()}")
        return None


def save_tensors(tensors, rel, metadata=None):
    out = fixture_common.save_tensors(tensors, rel, metadata)
    log(f"{rel}: " + ", ".join(f"{k} {list(v.shape)}" for k, v in sorted(out.items())))


def text_config(vocab_size, hidden, intermediate, layers, act, projection):
    # SDXL's two encoders ship bos/eos/pad = 0/2/1 (transformers then pools at argmax(input_ids)).
    return CLIPTextConfig(
        vocab_size=vocab_size, hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
        num_attention_heads=4, max_position_embeddings=MAX_LEN, hidden_act=act, projection_dim=projection,
        layer_norm_eps=1e-5, bos_token_id=0, eos_token_id=2, pad_token_id=1)


def prefixed_text_model_keys(file):
    """Real SDXL folders (and the single file made from them) carry `text_model.` on every text encoder key but
    text_projection; transformers 5 may write CLIPTextModel without it. It reads both."""
    with safe_open(file, "pt") as f:
        tensors = {k: f.get_tensor(k) for k in f.keys()}
        metadata = f.metadata()
    fixed = {(k if k.startswith("text_model.") or k.startswith("text_projection") else "text_model." + k): v
             for k, v in tensors.items()}
    if fixed.keys() != tensors.keys():
        save_file(fixed, file, metadata=metadata)
        log(f"{os.path.relpath(file, OUT)}: keys rewritten with the text_model. prefix")


# ---------------------------------------------------------------------------------------------------------------

def make_tiny_sdxl():
    tok = CLIPTokenizer.from_pretrained(TOKENIZER, model_max_length=MAX_LEN)
    tok2 = CLIPTokenizer.from_pretrained(TOKENIZER, model_max_length=MAX_LEN, pad_token="!")
    vocab = len(tok)
    te = randomise(CLIPTextModel(text_config(vocab, 32, 37, 3, "quick_gelu", 32)), 100)
    te2 = randomise(CLIPTextModelWithProjection(text_config(vocab, 48, 53, 4, "gelu", 40)), 101)
    unet = randomise(UNet2DConditionModel(**UNET), 102)
    vae = randomise(AutoencoderKL(**VAE), 103)
    sched = EulerDiscreteScheduler.from_config(dict(SCHEDULER))
    pipe = StableDiffusionXLPipeline(vae=vae, text_encoder=te, text_encoder_2=te2, tokenizer=tok, tokenizer_2=tok2,
                                     unet=unet, scheduler=sched, force_zeros_for_empty_prompt=True,
                                     add_watermarker=False)
    folder = os.path.join(OUT, "tiny-sdxl")
    pipe.save_pretrained(folder, safe_serialization=True)
    for sub in ("tokenizer", "tokenizer_2"):
        for name in ("vocab.json", "merges.txt"):
            dst = os.path.join(folder, sub, name)
            if not os.path.exists(dst):
                log(f"{sub}: save_pretrained wrote no {name}; copying it")
                shutil.copy(os.path.join(TOKENIZER, name), dst)
    prefixed_text_model_keys(os.path.join(folder, "text_encoder", "model.safetensors"))
    prefixed_text_model_keys(os.path.join(folder, "text_encoder_2", "model.safetensors"))

    back = StableDiffusionXLPipeline.from_pretrained(folder, add_watermarker=False)
    assert_same_weights(back.unet, unet, "unet")
    assert_same_weights(back.vae, vae, "vae")
    assert_same_weights(back.text_encoder, te, "text_encoder")
    assert_same_weights(back.text_encoder_2, te2, "text_encoder_2")
    for text in PROMPTS + ["", "blurry"]:
        assert ids_of(back.tokenizer, text) == ids_of(tok, text), f"tokenizer reload differs on {text!r}"
        assert ids_of(back.tokenizer_2, text) == ids_of(tok2, text), f"tokenizer_2 reload differs on {text!r}"
    log(f"tiny-sdxl round-trip ok: {type(back.text_encoder_2).__name__}, scheduler {type(back.scheduler).__name__}, "
        f"force_zeros_for_empty_prompt {back.config.force_zeros_for_empty_prompt}, "
        f"tokenizer_2 pad {back.tokenizer_2.pad_token!r} = {back.tokenizer_2.pad_token_id}")
    with open(os.path.join(folder, "model_index.json")) as f:
        log("model_index.json: " + f.read().replace("\n", " "))
    return folder


def diffusers_reads_single_file(folder, target):
    """Cross-check only (logged): diffusers' own single-file loader, given the folder's configs, gets the same weights."""
    single = StableDiffusionXLPipeline.from_single_file(target, config=folder, local_files_only=True, add_watermarker=False)
    ref = StableDiffusionXLPipeline.from_pretrained(folder, add_watermarker=False)
    for name in ("unet", "vae", "text_encoder", "text_encoder_2"):
        assert_same_weights(getattr(single, name), getattr(ref, name), "from_single_file " + name)
    log("from_single_file(tiny-sdxl.safetensors, config=tiny-sdxl) has the folder's weights")


# ---------------------------------------------------------------------------------------------------------------

@torch.no_grad()
def text_encoder_io(folder):
    pipe = StableDiffusionXLPipeline.from_pretrained(folder, add_watermarker=False)
    for sub, tok, enc, rel in (("text_encoder", pipe.tokenizer, pipe.text_encoder, "io/text_encoder_sdxl.safetensors"),
                               ("text_encoder_2", pipe.tokenizer_2, pipe.text_encoder_2, "io/text_encoder_2_sdxl.safetensors")):
        ids = torch.tensor([ids_of(tok, p) for p in PROMPTS], dtype=torch.int64)
        model = enc.double()
        out = model(input_ids=ids, output_hidden_states=True)
        t = {"input_ids": ids, "last_hidden_state": out.last_hidden_state}
        for i, h in enumerate(out.hidden_states):
            t[f"hidden_states.{i}"] = h
        if hasattr(out, "text_embeds"):
            t["text_embeds"] = out.text_embeds
            t["pooler_output"] = model.text_model(input_ids=ids).pooler_output
        else:
            t["pooler_output"] = out.pooler_output
        save_tensors(t, rel, {"class": type(enc).__name__, "prompts": json.dumps(PROMPTS),
                              "pad_token": tok.pad_token, "attention_mask": "none (as SD pipelines call it)"})


@torch.no_grad()
def unet_io(folder):
    unet = UNet2DConditionModel.from_pretrained(os.path.join(folder, "unet")).double().eval()
    g = gen(110)
    t = {
        "sample": torch.randn(2, 4, 8, 8, generator=g, dtype=torch.float64),
        "timestep": torch.tensor([10, 999]),
        "encoder_hidden_states": torch.randn(2, MAX_LEN, 80, generator=g, dtype=torch.float64),
        "text_embeds": torch.randn(2, 40, generator=g, dtype=torch.float64),
        "time_ids": torch.tensor([[1024., 1024., 0., 0., 1024., 1024.], [768., 1344., 32., 64., 832., 1216.]],
                                 dtype=torch.float64),
        # 5x7 latents (the up path upsamples 3x4 back to 5x7) and one fractional timestep for the batch
        "sample_odd": torch.randn(1, 4, 5, 7, generator=g, dtype=torch.float64),
        "timestep_odd": torch.tensor(651.5, dtype=torch.float64),
        "encoder_hidden_states_odd": torch.randn(1, MAX_LEN, 80, generator=g, dtype=torch.float64),
        "text_embeds_odd": torch.randn(1, 40, generator=g, dtype=torch.float64),
        "time_ids_odd": torch.tensor([[512., 384., 0., 16., 40., 56.]], dtype=torch.float64),
    }
    t["out"] = unet(t["sample"], t["timestep"], t["encoder_hidden_states"],
                    added_cond_kwargs={"text_embeds": t["text_embeds"], "time_ids": t["time_ids"]}).sample
    t["out_odd"] = unet(t["sample_odd"], t["timestep_odd"], t["encoder_hidden_states_odd"],
                        added_cond_kwargs={"text_embeds": t["text_embeds_odd"], "time_ids": t["time_ids_odd"]}).sample
    # the added embedding alone: add_embedding(concat(text_embeds, add_time_proj(time_ids) per row))
    time_embeds = unet.add_time_proj(t["time_ids"].flatten()).reshape(2, -1)
    t["aug_emb"] = unet.add_embedding(torch.concat([t["text_embeds"], time_embeds], dim=-1).to(torch.float64))
    save_tensors(t, "io/unet_sdxl.safetensors", {"call": "unet(sample, timestep, encoder_hidden_states, "
                                                 "added_cond_kwargs={text_embeds, time_ids}).sample"})


@torch.no_grad()
def vae_io(folder):
    vae = AutoencoderKL.from_pretrained(os.path.join(folder, "vae")).double().eval()
    g = gen(120)
    image = torch.rand(1, 3, 64, 48, generator=g, dtype=torch.float64) * 2 - 1
    latents = torch.randn(1, 4, 8, 6, generator=g, dtype=torch.float64)
    dist = vae.encode(image).latent_dist
    save_tensors({"image": image, "posterior_mean": dist.mean, "posterior_logvar": dist.logvar, "latents": latents,
                  "decoded": vae.decode(latents).sample}, "io/vae_sdxl.safetensors",
                 {"decoded": "vae.decode(latents), no scaling factor applied", "scaling_factor": vae.config.scaling_factor,
                  "force_upcast": vae.config.force_upcast})


# ---------------------------------------------------------------------------------------------------------------

CASES = [
    # name, negative prompt, guidance, sizes (original, crop top-left, target; None = diffusers' defaults), clip_skip
    ("euler", None, 5.0, None, None),
    ("euler_negative", "blurry", 7.5, ((96, 128), (8, 16), (64, 64)), None),
    ("euler_clip_skip", "blurry", 5.0, None, 1),
]


@torch.no_grad()
def pipeline_case(folder, name, negative, guidance, sizes, clip_skip):
    pipe = StableDiffusionXLPipeline.from_pretrained(folder, add_watermarker=False).to(torch.float64)
    prompt, steps, height, width = "a photo of sks dog", 4, 64, 64
    latents_init = torch.randn(1, 4, 8, 8, generator=gen(130), dtype=torch.float64)
    pe, npe, pooled, npooled = pipe.encode_prompt(prompt, device="cpu", num_images_per_prompt=1,
                                                  do_classifier_free_guidance=True, negative_prompt=negative,
                                                  clip_skip=clip_skip)
    kw = {}
    if sizes is not None:
        kw = dict(original_size=sizes[0], crops_coords_top_left=sizes[1], target_size=sizes[2])
    seen = {}

    def record(p, i, t, tensors):
        seen[f"step.{i}.latents"] = tensors["latents"].clone()
        seen[f"step.{i}.timestep"] = torch.tensor([float(t)], dtype=torch.float64)
        if i == 0:
            for k in ("prompt_embeds", "add_text_embeds", "add_time_ids"):
                seen["unet." + k] = tensors[k].clone()
        return {}

    common = dict(prompt=prompt, negative_prompt=negative, num_inference_steps=steps, guidance_scale=guidance,
                  height=height, width=width, clip_skip=clip_skip, **kw)
    latents_final = pipe(**common, latents=latents_init.clone(), output_type="latent", callback_on_step_end=record,
                         callback_on_step_end_tensor_inputs=["latents", "prompt_embeds", "add_text_embeds",
                                                             "add_time_ids"]).images
    image_raw = pipe.vae.decode(latents_final / pipe.vae.config.scaling_factor).sample
    image = torch.from_numpy(np.asarray(pipe(**common, latents=latents_init.clone(), output_type="np").images))
    assert torch.allclose(image.double(), (image_raw / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1), atol=1e-6)
    tok = lambda t, text: torch.tensor([ids_of(t, text)])
    t = {"prompt_ids": tok(pipe.tokenizer, prompt), "prompt_ids_2": tok(pipe.tokenizer_2, prompt),
         "prompt_embeds": pe, "negative_prompt_embeds": npe, "pooled_prompt_embeds": pooled,
         "negative_pooled_prompt_embeds": npooled, "latents_init": latents_init, "latents_final": latents_final,
         "image_raw": image_raw, "image": image, "timesteps": pipe.scheduler.timesteps.to(torch.float64), **seen}
    if negative is not None:
        t["negative_ids"] = tok(pipe.tokenizer, negative)
        t["negative_ids_2"] = tok(pipe.tokenizer_2, negative)
    save_tensors(t, f"pipeline_sdxl/{name}.safetensors")
    log(f"pipeline_sdxl {name}: latents_final std {latents_final.std():.4f}, image mean {image.mean():.4f}, "
        f"clamped {((image == 0) | (image == 1)).double().mean():.4f}, time ids {seen['unet.add_time_ids'].tolist()}")
    return {"name": name, "scheduler_class": type(pipe.scheduler).__name__,
            "scheduler_config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in dict(pipe.scheduler.config).items()},
            "prompt": prompt, "negative_prompt": negative, "guidance_scale": guidance, "num_inference_steps": steps,
            "height": height, "width": width, "clip_skip": clip_skip,
            "original_size": list(sizes[0]) if sizes else None, "crops_coords_top_left": list(sizes[1]) if sizes else None,
            "target_size": list(sizes[2]) if sizes else None,
            "init_noise_sigma": float(pipe.scheduler.init_noise_sigma), "timesteps": pipe.scheduler.timesteps.tolist(),
            "dtype": "float64 on CPU, stored as F32",
            "unet.*": "the UNet's inputs at step 0 as the pipeline passed them ([negative, prompt] batches)"}


def make_pipeline_fixtures(folder):
    cases = [c for c in (part(f"pipeline {args[0]}", pipeline_case, folder, *args) for args in CASES) if c is not None]
    write_json(cases, "pipeline_sdxl/cases.json")


def main():
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    folder = part("tiny-sdxl", make_tiny_sdxl)
    if folder is not None:
        target = part("single file", fixture_common.convert_to_single_file, CONVERT, folder, "tiny-sdxl")
        if target is not None:
            part("diffusers from_single_file cross-check", diffusers_reads_single_file, folder, target)
        part("text encoder io", text_encoder_io, folder)
        part("unet io", unet_io, folder)
        part("vae io", vae_io, folder)
        part("pipeline", make_pipeline_fixtures, folder)
    versions = {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__,
                "diffusers": diffusers.__version__, "numpy": np.__version__,
                "safetensors": __import__("safetensors").__version__}
    write_json({"versions": versions, "failed": FAILED, "log": LOG}, "versions_sdxl.json")
    print_files()
    print(json.dumps(versions), "failed:", FAILED)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
