"""Generates the parity fixtures of model/src/test/resources/fixtures with the reference implementations.

Runs on the GPU host (CPU is enough; all references are computed on the CPU) with torch, transformers and a
source checkout of diffusers on PYTHONPATH. See README.md beside this file for the exact command.

    python3 make_fixtures.py OUT_DIR REF_DIR

REF_DIR holds `diffusers/` (src/ and scripts/ of a diffusers checkout) and `clip/bpe_simple_vocab_16e6.txt.gz`
(from openai/CLIP). Everything is seeded: running it twice gives the same tensors.
"""

import gzip
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

import diffusers
import transformers
from diffusers import (
    AutoencoderKL,
    DDIMScheduler,
    DDPMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler,
    PNDMScheduler,
    StableDiffusionPipeline,
    UNet2DConditionModel,
)
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

from fixture_common import (
    FAKE_MODEL, LOG, MAX_LEN, SCHEDULER_SD15, assert_same_weights, convert_to_single_file, fake_model, gen, ids_of,
    jsonable, log, path, print_files, randomise, save_tensors, set_output, write_json)

OUT = set_output(sys.argv[1])
REF = os.path.abspath(sys.argv[2])
TINY_MERGES = 1000


# ---------------------------------------------------------------------------------------------------------------
# CLIP BPE vocabulary, defined as CLIP's SimpleTokenizer defines it.
# ---------------------------------------------------------------------------------------------------------------

def byte_symbols():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return [chr(c) for c in codes]


def clip_vocab(n_merges=None):
    lines = gzip.open(os.path.join(REF, "clip", "bpe_simple_vocab_16e6.txt.gz")).read().decode("utf-8").split("\n")
    merges = lines[1:49152 - 256 - 2 + 1]
    if n_merges is not None:
        merges = merges[:n_merges]
    symbols = byte_symbols()
    tokens = symbols + [s + "</w>" for s in symbols] + ["".join(m.split()) for m in merges]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    vocab = {t: i for i, t in enumerate(tokens)}
    assert len(vocab) == len(tokens), "duplicate token in vocabulary"
    return vocab, "#version: 0.2\n" + "\n".join(merges) + "\n"


def write_vocab_files(folder, n_merges=None):
    vocab, merges = clip_vocab(n_merges)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write(merges)
    return vocab


def tokenizer_classes():
    classes = {"CLIPTokenizer": CLIPTokenizer}
    fast = getattr(transformers, "CLIPTokenizerFast", None)
    if fast is not None and fast is not CLIPTokenizer:
        classes["CLIPTokenizerFast"] = fast
    return classes


def load_tokenizers(folder, pad_token=None):
    kw = {"model_max_length": MAX_LEN} if pad_token is None else {"model_max_length": MAX_LEN, "pad_token": pad_token}
    toks = {}
    for name, cls in tokenizer_classes().items():
        try:
            toks[name] = cls.from_pretrained(folder, **kw)
        except Exception as e:  # record, the primary class must work
            log(f"tokenizer {name} from {folder} failed: {e!r}")
            if name == "CLIPTokenizer":
                raise
    return toks


TEXTS = [
    "a photo of sks dog",
    "A Photo Of SKS Dog",
    "a photo of sks dog, 8k!!!",
    "masterpiece, best quality, (red hair:1.2), [blurry], {castle}",
    "it's a dog; we'll see what they're doing, isn't it? I'd say I've, you're, I'm",
    "don't STOP believin' -- \"double quotes\" and 'single'",
    "1234 cats and 5.5 dogs in 2024, 3rd place, 10x zoom",
    "café crème brûlée",
    "naïve résumé Ångström Straße ÉCOLE",
    "東京の夜",
    "한국어 텍스트 and Ελληνικά and русский",
    "🐶",
    "a dog 🐕 with a hat 🎩 emoji🙂text",
    "   extra    whitespace\tand\nnewlines   ",
    "",
    "hello-world_snake_case / slashes \\ back # hash @ at & amp",
    "<|startoftext|>special tokens in text<|endoftext|>",
    "a highly detailed photograph of " + "a very big red dog and a small blue cat, " * 8 + "at sunset",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
]


def make_tokenizer_fixtures():
    work = tempfile.mkdtemp(prefix="clip-vocab-")
    full_dir = os.path.join(work, "full")
    full_vocab = write_vocab_files(full_dir)
    assert len(full_vocab) == 49408 and full_vocab["<|endoftext|>"] == 49407, len(full_vocab)
    for name in ("vocab.json", "merges.txt"):
        with open(os.path.join(full_dir, name), "rb") as src, gzip.GzipFile(path("clip-vocab", name + ".gz"), "wb", mtime=0) as dst:
            shutil.copyfileobj(src, dst)
    tiny_dir = os.path.join(work, "tiny")
    tiny_vocab = write_vocab_files(tiny_dir, TINY_MERGES)
    assert len(tiny_vocab) == 512 + TINY_MERGES + 2

    cases = []
    for label, folder, pad in (("full", full_dir, None), ("full-sd2pad", full_dir, "!"), ("tiny", tiny_dir, None)):
        toks = load_tokenizers(folder, pad)
        primary = toks["CLIPTokenizer"]
        for text in TEXTS:
            ids = ids_of(primary, text)
            assert len(ids) == MAX_LEN
            case = {
                "text": text,
                "vocab": label,
                "ids": ids,
                "tokens": primary.convert_ids_to_tokens(ids),
                "tokenizer_class": type(primary).__name__,
                "pad_token": primary.pad_token,
            }
            for other_name, other in toks.items():
                if other is primary:
                    continue
                other_ids = ids_of(other, text)
                if other_ids != ids:
                    case["ids_" + type(other).__name__] = other_ids
                    log(f"tokenizer difference [{label}] {text!r}: {type(primary).__name__} vs {type(other).__name__}")
            cases.append(case)
    with open(path("tokenizer_cases.json"), "w", encoding="utf-8") as f:  # one case per line
        f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n]\n")
    return tiny_dir


# ---------------------------------------------------------------------------------------------------------------
# Tiny models, randomised so that no zero-initialised layer hides a bug and activations stay O(1).
# ---------------------------------------------------------------------------------------------------------------

def text_encoder_config(vocab_size, act, legacy_ids):
    # SD checkpoints (openai clip-vit-large-patch14, SD2's OpenCLIP) ship bos/eos/pad = 0/2/1, which makes
    # transformers pool at argmax(input_ids); the SD2 variant uses the real ids (pooling at the first eos).
    eos = vocab_size - 1
    ids = dict(bos_token_id=0, eos_token_id=2, pad_token_id=1) if legacy_ids else \
        dict(bos_token_id=vocab_size - 2, eos_token_id=eos, pad_token_id=0)
    return CLIPTextConfig(
        vocab_size=vocab_size, hidden_size=32, intermediate_size=37, num_hidden_layers=3, num_attention_heads=4,
        max_position_embeddings=MAX_LEN, hidden_act=act, projection_dim=32, layer_norm_eps=1e-5, **ids)


UNET_SD1 = dict(
    sample_size=8, in_channels=4, out_channels=4, block_out_channels=(16, 32), layers_per_block=2,
    down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
    cross_attention_dim=32, attention_head_dim=8, norm_num_groups=8)
UNET_SD2 = dict(UNET_SD1, layers_per_block=1, use_linear_projection=True, attention_head_dim=[2, 4], upcast_attention=True)
VAE = dict(
    in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
    block_out_channels=(16, 16, 32, 32), latent_channels=4, layers_per_block=1, norm_num_groups=8, sample_size=64,
    scaling_factor=0.18215)


def legacy_text_encoder_keys(file):
    """transformers 5 saves CLIPTextModel keys without the `text_model.` prefix; every SD checkpoint users have
    (and the single-file layout derived from it) carries it, so the SD1 folder is written that way. transformers
    reads both; sd2/text_encoder keeps the transformers 5 layout so both are covered."""
    with safe_open(file, "pt") as f:
        tensors = {k: f.get_tensor(k) for k in f.keys()}
        metadata = f.metadata()
    if all(k.startswith("text_model.") for k in tensors):
        return
    save_file({"text_model." + k: v for k, v in tensors.items()}, file, metadata=metadata)
    log("tiny-sd/text_encoder keys rewritten with the text_model. prefix")


def make_tiny_sd(tiny_vocab_dir):
    tok = CLIPTokenizer.from_pretrained(tiny_vocab_dir, model_max_length=MAX_LEN)
    vocab_size = len(tok)
    te = randomise(CLIPTextModel(text_encoder_config(vocab_size, "quick_gelu", legacy_ids=True)), 0)
    unet = randomise(UNet2DConditionModel(**UNET_SD1), 1)
    vae = randomise(AutoencoderKL(**VAE), 2)
    sched = PNDMScheduler.from_config(dict(SCHEDULER_SD15))
    pipe = StableDiffusionPipeline(
        vae=vae, text_encoder=te, tokenizer=tok, unet=unet, scheduler=sched, safety_checker=None,
        feature_extractor=None, requires_safety_checker=False)
    folder = path("tiny-sd", "model_index.json").rsplit(os.sep, 1)[0]
    pipe.save_pretrained(folder, safe_serialization=True)
    for name in ("vocab.json", "merges.txt"):  # the files users' SD folders carry, whatever transformers writes
        dst = os.path.join(folder, "tokenizer", name)
        if not os.path.exists(dst):
            log(f"tokenizer save_pretrained wrote no {name}; copying the built one")
            shutil.copy(os.path.join(tiny_vocab_dir, name), dst)
    legacy_text_encoder_keys(os.path.join(folder, "text_encoder", "model.safetensors"))

    back = StableDiffusionPipeline.from_pretrained(folder, safety_checker=None, requires_safety_checker=False)
    assert_same_weights(back.unet, unet, "unet")
    assert_same_weights(back.vae, vae, "vae")
    assert_same_weights(back.text_encoder, te, "text_encoder")
    for text in TEXTS:
        assert ids_of(back.tokenizer, text) == ids_of(tok, text), f"tokenizer reload differs on {text!r}"
    assert type(back.scheduler).__name__ == "PNDMScheduler"
    log(f"tiny-sd round-trip ok; tokenizer class after reload: {type(back.tokenizer).__name__}")

    sd2_unet = randomise(UNet2DConditionModel(**UNET_SD2), 3)
    sd2_unet.save_pretrained(path("sd2", "unet", "x").rsplit(os.sep, 1)[0], safe_serialization=True)
    sd2_te = randomise(CLIPTextModel(text_encoder_config(vocab_size, "gelu", legacy_ids=False)), 4)
    sd2_te.save_pretrained(path("sd2", "text_encoder", "x").rsplit(os.sep, 1)[0], safe_serialization=True)
    assert_same_weights(UNet2DConditionModel.from_pretrained(os.path.join(OUT, "sd2", "unet")), sd2_unet, "sd2 unet")
    assert_same_weights(CLIPTextModel.from_pretrained(os.path.join(OUT, "sd2", "text_encoder")), sd2_te, "sd2 te")
    return folder, tok, te, unet, vae, sd2_unet, sd2_te


# ---------------------------------------------------------------------------------------------------------------
# Inputs and outputs, float64 on the CPU.
# ---------------------------------------------------------------------------------------------------------------

def text_encoder_io(te, tok, rel, prompts):
    ids = torch.tensor([ids_of(tok, p) for p in prompts], dtype=torch.int64)
    model = te.double()
    with torch.no_grad():
        out = model(input_ids=ids, output_hidden_states=True)
    t = {"input_ids": ids, "last_hidden_state": out.last_hidden_state, "pooler_output": out.pooler_output}
    for i, h in enumerate(out.hidden_states):
        t[f"hidden_states.{i}"] = h
    save_tensors(t, rel, {"prompts": json.dumps(prompts), "attention_mask": "none (as SD pipelines call it)",
                          "hidden_states": "0 = embeddings, i = output of layer i (before final_layer_norm)"})
    te.float()


def unet_io(unet, rel, seed):
    g = gen(seed)
    t = {
        "sample": torch.randn(2, 4, 8, 8, generator=g, dtype=torch.float64),
        "timestep": torch.tensor([10, 999]),
        "encoder_hidden_states": torch.randn(2, MAX_LEN, 32, generator=g, dtype=torch.float64),
        "sample_rect": torch.randn(1, 4, 8, 16, generator=g, dtype=torch.float64),
        "timestep_rect": torch.tensor([500]),
        "encoder_hidden_states_rect": torch.randn(1, MAX_LEN, 32, generator=g, dtype=torch.float64),
    }
    model = unet.double()
    with torch.no_grad():
        t["out"] = model(t["sample"], t["timestep"], t["encoder_hidden_states"]).sample
        t["out_rect"] = model(t["sample_rect"], t["timestep_rect"], t["encoder_hidden_states_rect"]).sample
    save_tensors(t, rel)
    unet.float()


def vae_io(vae, rel):
    g = gen(20)
    image = torch.rand(1, 3, 64, 64, generator=g, dtype=torch.float64) * 2 - 1
    latents = torch.randn(1, 4, 8, 8, generator=g, dtype=torch.float64)
    model = vae.double()
    with torch.no_grad():
        dist = model.encode(image).latent_dist
        decoded = model.decode(latents).sample
    save_tensors({"image": image, "posterior_mean": dist.mean, "posterior_logvar": dist.logvar, "latents": latents,
                  "decoded": decoded}, rel,
                 {"posterior_logvar": "clamped to [-30, 20] as diffusers' DiagonalGaussianDistribution does",
                  "decoded": "vae.decode(latents) with no scaling factor applied"})
    vae.float()


GRAD_PARAMS = [
    "conv_in.weight",
    "time_embedding.linear_1.weight",
    "down_blocks.0.resnets.0.conv1.weight",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight",
    "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight",
    "up_blocks.1.resnets.2.conv_shortcut.weight",
    "conv_out.weight",
    "conv_out.bias",
]


def unet_train_step(unet, rel):
    g = gen(30)
    model = unet.double().train()
    sched = DDPMScheduler.from_config(dict(SCHEDULER_SD15))
    latents = torch.randn(2, 4, 8, 8, generator=g, dtype=torch.float64)
    noise = torch.randn(2, 4, 8, 8, generator=g, dtype=torch.float64)
    timesteps = torch.tensor([100, 700])
    ehs = torch.randn(2, MAX_LEN, 32, generator=g, dtype=torch.float64)
    noisy = sched.add_noise(latents, noise, timesteps)
    model.zero_grad()
    pred = model(noisy, timesteps, ehs).sample
    loss = F.mse_loss(pred, noise, reduction="mean")
    loss.backward()
    params = dict(model.named_parameters())
    t = {"latents": latents, "noise": noise, "timesteps": timesteps, "encoder_hidden_states": ehs,
         "noisy_latents": noisy, "model_pred": pred.detach(), "loss": loss.detach().reshape(1)}
    for name in GRAD_PARAMS:
        t["grad." + name] = params[name].grad
    save_tensors(t, rel, {"loss": "mean squared error of model_pred against noise (epsilon target)",
                          "scheduler": json.dumps(dict(sched.config))})
    model.zero_grad()
    unet.float().eval()


# ---------------------------------------------------------------------------------------------------------------
# Schedulers.
# ---------------------------------------------------------------------------------------------------------------


def ddpm_case(name, overrides, cases):
    sched = DDPMScheduler.from_config(dict(SCHEDULER_SD15, **overrides))
    g = gen(40)
    original = torch.randn(4, 4, 8, 8, generator=g)
    noise = torch.randn(4, 4, 8, 8, generator=g)
    timesteps = torch.tensor([0, 1, 500, 999])
    ac = sched.alphas_cumprod
    save_tensors({"original": original, "noise": noise, "timesteps": timesteps,
                  "noisy": sched.add_noise(original, noise, timesteps),
                  "velocity": sched.get_velocity(original, noise, timesteps),
                  "betas": sched.betas, "alphas_cumprod": ac, "snr": ac / (1 - ac)}, f"schedulers/{name}.safetensors")
    cases.append({"name": name, "class": "DDPMScheduler", "config": jsonable(sched.config), "kind": "training"})


def trajectory_case(name, cls, overrides, cases, steps=10):
    sched = cls.from_config(dict(SCHEDULER_SD15, **overrides))
    sched.set_timesteps(steps)
    latents_init = torch.randn(1, 4, 8, 8, generator=gen(50))
    noises = []
    module = sys.modules[cls.__module__]
    original_randn = getattr(module, "randn_tensor", None)
    if cls is EulerAncestralDiscreteScheduler:
        g = gen(51)
        pre = [torch.randn(1, 4, 8, 8, generator=g) for _ in range(steps)]

        def replay(shape, generator=None, device=None, dtype=None, layout=None):
            n = pre[len(noises)]
            assert tuple(n.shape) == tuple(shape)
            noises.append(n)
            return n.to(dtype=dtype)

        module.randn_tensor = replay
    try:
        init_sigma = float(sched.init_noise_sigma)
        latents = latents_init * sched.init_noise_sigma
        t = {"latents_init": latents_init, "latents": latents, "timesteps": sched.timesteps.to(torch.float64),
             "alphas_cumprod": sched.alphas_cumprod}
        if hasattr(sched, "sigmas") and sched.sigmas is not None:
            t["sigmas"] = sched.sigmas
        kw = {"eta": 0.0} if cls is DDIMScheduler else {}
        for k, ts in enumerate(sched.timesteps):
            model_input = sched.scale_model_input(latents, ts)
            eps = fake_model(model_input, ts)
            latents = sched.step(eps, ts, latents, **kw).prev_sample
            t[f"step.{k}.model_input"] = model_input
            t[f"step.{k}.model_output"] = eps
            t[f"step.{k}.prev_sample"] = latents
            if noises and len(noises) == k + 1:
                t[f"step.{k}.noise"] = noises[k]
    finally:
        if original_randn is not None:
            module.randn_tensor = original_randn
    save_tensors(t, f"schedulers/{name}.safetensors")
    case = {"name": name, "class": cls.__name__, "config": jsonable(sched.config), "kind": "trajectory",
            "num_inference_steps": steps, "step_kwargs": kw, "init_noise_sigma": init_sigma,
            "timesteps": sched.timesteps.tolist(), "fake_model": FAKE_MODEL}
    if "sigmas" in t:
        case["sigmas"] = t["sigmas"].tolist()
    if noises:
        case["noise"] = "step.{k}.noise is what randn_tensor returned inside step k"
    cases.append(case)


def make_scheduler_fixtures():
    cases = []
    linear = {"beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02}
    ddpm_case("ddpm_scaled_linear", {}, cases)
    ddpm_case("ddpm_linear", linear, cases)
    ddpm_case("ddpm_v_prediction", {"prediction_type": "v_prediction"}, cases)
    samplers = {"ddim": (DDIMScheduler, {}), "euler": (EulerDiscreteScheduler, {}),
                "euler_a": (EulerAncestralDiscreteScheduler, {}),
                "dpmpp_2m": (DPMSolverMultistepScheduler, {"algorithm_type": "dpmsolver++", "solver_order": 2})}
    for short, (cls, base) in samplers.items():
        for spacing in ("leading", "trailing", "linspace"):
            trajectory_case(f"{short}_{spacing}", cls, dict(base, timestep_spacing=spacing), cases)
        trajectory_case(f"{short}_linear", cls, dict(base, timestep_spacing="leading", **linear), cases)
        trajectory_case(f"{short}_v_prediction", cls, dict(base, timestep_spacing="leading", prediction_type="v_prediction"), cases)
    write_json(cases, "schedulers/cases.json")


# ---------------------------------------------------------------------------------------------------------------
# The tiny pipeline end to end.
# ---------------------------------------------------------------------------------------------------------------

def make_pipeline_fixtures(folder):
    pipe = StableDiffusionPipeline.from_pretrained(folder, safety_checker=None, requires_safety_checker=False)
    pipe = pipe.to(torch.float64)
    prompt, negative, guidance, steps = "a photo of sks dog", "blurry", 7.5, 4
    latents_init = torch.randn(1, 4, 8, 8, generator=gen(60), dtype=torch.float64)
    tok = lambda text: torch.tensor([ids_of(pipe.tokenizer, text)])
    cases = []
    base_config = dict(pipe.scheduler.config)
    for name, cls, kw in (("ddim", DDIMScheduler, {"eta": 0.0}), ("euler", EulerDiscreteScheduler, {})):
        pipe.scheduler = cls.from_config(base_config)
        with torch.no_grad():
            prompt_embeds, negative_embeds = pipe.encode_prompt(prompt, "cpu", 1, True, negative)
        seen = {}

        def record(p, i, t, kwargs):
            seen[f"step.{i}.latents"] = kwargs["latents"].clone()
            seen[f"step.{i}.timestep"] = torch.tensor([float(t)], dtype=torch.float64)
            return kwargs

        with torch.no_grad():
            out = pipe(prompt, negative_prompt=negative, num_inference_steps=steps, guidance_scale=guidance,
                       latents=latents_init.clone(), output_type="latent", callback_on_step_end=record, **kw)
            latents_final = out.images
            image_raw = pipe.vae.decode(latents_final / pipe.vae.config.scaling_factor).sample
            image = pipe(prompt, negative_prompt=negative, num_inference_steps=steps, guidance_scale=guidance,
                         latents=latents_init.clone(), output_type="np", **kw).images
        image = torch.from_numpy(np.asarray(image))
        expected = (image_raw / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1)
        assert torch.allclose(image.double(), expected, atol=1e-6), "np image differs from decode of final latents"
        t = {"prompt_ids": tok(prompt), "negative_ids": tok(negative), "prompt_embeds": prompt_embeds,
             "negative_embeds": negative_embeds, "latents_init": latents_init, "latents_final": latents_final,
             "image_raw": image_raw, "image": image, "timesteps": pipe.scheduler.timesteps.to(torch.float64), **seen}
        save_tensors(t, f"pipeline/{name}.safetensors")
        log(f"pipeline {name}: latents_final std {latents_final.std():.4f}, image mean {image.mean():.4f}, "
            f"fraction clamped {((image == 0) | (image == 1)).double().mean():.4f}")
        cases.append({"name": name, "scheduler_class": cls.__name__, "scheduler_config": jsonable(pipe.scheduler.config),
                      "prompt": prompt, "negative_prompt": negative, "guidance_scale": guidance,
                      "num_inference_steps": steps, "step_kwargs": kw, "height": 64, "width": 64,
                      "init_noise_sigma": float(pipe.scheduler.init_noise_sigma),
                      "timesteps": pipe.scheduler.timesteps.tolist(), "dtype": "float64 on CPU, stored as F32",
                      "latents_init": "passed as latents=; the pipeline multiplies it by init_noise_sigma",
                      "image_raw": "vae.decode(latents_final / scaling_factor), NCHW, before (x/2+0.5).clamp(0,1)",
                      "image": "output_type='np', NHWC in [0,1]",
                      "step.{i}.latents": "latents after step i (callback_on_step_end)"})
    write_json(cases, "pipeline/cases.json")


def main():
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    tiny_vocab_dir = make_tokenizer_fixtures()
    log("tokenizer fixtures done")
    folder, tok, te, unet, vae, sd2_unet, sd2_te = make_tiny_sd(tiny_vocab_dir)
    convert_to_single_file(os.path.join(REF, "diffusers", "scripts", "convert_diffusers_to_original_stable_diffusion.py"),
                           folder, "tiny-sd")
    sd2_tok = CLIPTokenizer.from_pretrained(tiny_vocab_dir, model_max_length=MAX_LEN, pad_token="!")
    prompts = ["a photo of sks dog", "a painting of a castle on a hill, 8k!!!"]
    text_encoder_io(te, tok, "io/text_encoder.safetensors", prompts)
    text_encoder_io(sd2_te, sd2_tok, "io/text_encoder_sd2.safetensors", prompts)
    unet_io(unet, "io/unet.safetensors", 10)
    unet_io(sd2_unet, "io/unet_sd2.safetensors", 11)
    vae_io(vae, "io/vae.safetensors")
    unet_train_step(unet, "io/unet_train_step.safetensors")
    log("io fixtures done")
    make_scheduler_fixtures()
    log("scheduler fixtures done")
    make_pipeline_fixtures(folder)
    log("pipeline fixtures done")
    versions = {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__,
                "diffusers": diffusers.__version__, "numpy": np.__version__,
                "safetensors": __import__("safetensors").__version__,
                "tokenizer_classes": sorted(tokenizer_classes())}
    write_json({"versions": versions, "log": LOG}, "versions.json")
    print(f"{print_files():>10}  TOTAL")
    print(json.dumps(versions))


if __name__ == "__main__":
    main()
