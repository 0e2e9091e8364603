"""Generates the fixtures of issue 13 (checkpoint files users have, and the samplers they use) with the references.

    python3 make_ckpt_sampler_fixtures.py OUT_DIR FIXTURES_DIR

FIXTURES_DIR is the committed model/src/test/resources/fixtures (tiny-sd.safetensors and tiny-sd/ are read from it).
Writes OUT_DIR/ckpt/ (PyTorch pickles written by torch.save), OUT_DIR/tiny-sd-fp16/ (diffusers' fp16 variant
layout) and OUT_DIR/samplers/ (diffusers' schedulers). Needs torch, transformers, safetensors and diffusers' source
on PYTHONPATH, as make_fixtures.py does; see README.md beside this file. Everything is seeded. Each part runs on its
own, so one failure does not lose the others; the exit status is non-zero if any failed.
"""

import json
import os
import shutil
import sys
import traceback
import types
from collections import OrderedDict

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

from fixture_common import (
    FAKE_MODEL, LOG, SCHEDULER_SD15, fake_model, gen, jsonable, log, path, print_files, set_output, write_json)

OUT = set_output(sys.argv[1])
FIXTURES = os.path.abspath(sys.argv[2])


def read_single_file(file):
    with safe_open(file, "pt") as f:
        return OrderedDict((k, f.get_tensor(k)) for k in f.keys())


# ---------------------------------------------------------------------------------------------------------------
# PyTorch checkpoints (.ckpt / .pt / .bin) as torch.save writes them.
# ---------------------------------------------------------------------------------------------------------------

UNET_PREFIX = "model.diffusion_model."


def lit_ema_key(key):
    """LDM's LitEma keeps one buffer per parameter of `model`, named by the parameter path with the dots removed."""
    return "model_ema." + "".join(key.split(".")[1:])


def lightning_checkpoint_class():
    """PyTorch Lightning 1.x (which wrote the SD 1.x checkpoints) keys `callbacks` by the callback class itself,
    pickled as the global pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint. Lightning is not installed
    here: a stand-in class registered under that module name pickles to the same GLOBAL opcode."""
    name = "pytorch_lightning.callbacks.model_checkpoint"
    parts = name.split(".")
    for i in range(1, len(parts) + 1):  # pickle imports the parent packages too
        sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
    module = sys.modules[name]
    module.ModelCheckpoint = type("ModelCheckpoint", (), {"__module__": name, "__qualname__": "ModelCheckpoint"})
    return module.ModelCheckpoint


def ldm_checkpoint(tensors, ema_seed):
    """An LDM / Lightning training checkpoint: the model's tensors, the diffusion schedule buffers LDM registers,
    LitEma's copy of every UNet parameter (different values, so that choosing them shows) and Lightning's
    bookkeeping (ints, strings, bytes, a numpy scalar, a class as a dict key)."""
    state = OrderedDict()
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    alphas_cumprod = torch.cumprod(1 - betas, 0)
    state["betas"] = betas.float()
    state["alphas_cumprod"] = alphas_cumprod.float()
    state["alphas_cumprod_prev"] = torch.cat([torch.ones(1, dtype=torch.float64), alphas_cumprod[:-1]]).float()
    state.update(tensors)
    state["model_ema.decay"] = torch.tensor(0.9999, dtype=torch.float32)
    state["model_ema.num_updates"] = torch.tensor(470000, dtype=torch.int32)
    g = gen(ema_seed)
    for k, v in tensors.items():
        if k.startswith(UNET_PREFIX):
            state[lit_ema_key(k)] = v * 0.9 + 0.05 * torch.randn(v.shape, generator=g, dtype=v.dtype)
    return {
        "epoch": 6,
        "global_step": 470000,
        "pytorch-lightning_version": "1.4.2",
        "state_dict": state,
        "callbacks": {lightning_checkpoint_class(): {
            "monitor": None, "best_model_score": np.float64(0.1234), "best_model_path": "",
            "dirpath": b"/fsx/stable-diffusion/ckpts"}},
        "optimizer_states": [],
        "lr_schedulers": [],
    }


def half(ckpt):
    out = dict(ckpt)
    out["state_dict"] = OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in ckpt["state_dict"].items())
    return out


def assert_round_trip(file, ckpt):
    back = torch.load(file, weights_only=False)
    assert back.keys() == ckpt.keys(), file
    for k, v in ckpt["state_dict"].items():
        w = back["state_dict"][k]
        assert w.dtype == v.dtype and torch.equal(w, v), f"{file}: {k} differs after torch.load"


def ema_sources(ckpt):
    """Which key of the checkpoint diffusers' own conversion (extract_ema=True) takes each UNet weight from."""
    from diffusers import UNet2DConditionModel
    from diffusers.loaders.single_file_utils import convert_ldm_unet_checkpoint

    state = ckpt["state_dict"]
    config = dict(UNet2DConditionModel.load_config(os.path.join(FIXTURES, "tiny-sd", "unet")))
    converted = convert_ldm_unet_checkpoint(dict(state), config, extract_ema=True)
    by_pointer = {v.data_ptr(): k for k, v in state.items()}
    sources = {k: by_pointer[v.data_ptr()] for k, v in sorted(converted.items())}
    assert all(s.startswith("model_ema.") for s in sources.values()), "diffusers did not take the EMA weights"
    return sources


def make_checkpoints():
    tensors = read_single_file(os.path.join(FIXTURES, "tiny-sd.safetensors"))
    ckpt = ldm_checkpoint(tensors, ema_seed=130)
    zip_file = path("ckpt", "tiny-sd-ema.ckpt")
    torch.save(ckpt, zip_file)
    assert_round_trip(zip_file, ckpt)
    legacy = half(ckpt)
    legacy_file = path("ckpt", "tiny-sd-ema-fp16-legacy.ckpt")
    torch.save(legacy, legacy_file, _use_new_zipfile_serialization=False)
    assert_round_trip(legacy_file, legacy)
    log(f"ckpt: {len(ckpt['state_dict'])} tensors, zip fp32 {os.path.getsize(zip_file)} B, "
        f"legacy fp16 {os.path.getsize(legacy_file)} B")
    try:
        write_json(ema_sources(ckpt), "ckpt/ema-sources.json")
        log("ckpt: ema-sources.json from diffusers' convert_ldm_unet_checkpoint(extract_ema=True)")
    except Exception:
        log("ckpt: ema-sources FAILED\n" + traceback.format_exc())
        raise


def make_tensor_files():
    """Every dtype, a view with an offset, a transposed (non-contiguous) view sharing a storage, a scalar, an
    empty tensor and a Parameter, as a flat state dict (what .bin / .pt files hold), in three encodings."""
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 7
    tensors = OrderedDict(
        f32=base, transposed=base.t(), row=base[2], scalar=torch.tensor(3.5), empty=torch.zeros(0, 3),
        f16=base.half(), bf16=base.bfloat16(), f64=base.double() / 3,
        i64=torch.arange(-3, 5), i32=torch.arange(6, dtype=torch.int32).reshape(2, 3),
        i8=torch.tensor([-128, 0, 127], dtype=torch.int8), u8=torch.tensor([0, 7, 255], dtype=torch.uint8),
        bool=torch.tensor([True, False, True]), param=torch.nn.Parameter(torch.full((2, 2), 0.25)))
    torch.save(tensors, path("ckpt", "tensors.pt"))
    torch.save(tensors, path("ckpt", "tensors-protocol4.pt"), pickle_protocol=4)
    torch.save(tensors, path("ckpt", "tensors-legacy.pt"), _use_new_zipfile_serialization=False)
    expected = {k: (v.detach().float() if v.dtype == torch.bfloat16 else v.detach()).contiguous().clone()
                for k, v in tensors.items()}
    save_file(expected, path("ckpt", "tensors.safetensors"))
    write_json({k: {"dtype": str(v.dtype), "shape": list(v.shape), "stride": list(v.stride()),
                    "storage_offset": v.storage_offset()} for k, v in tensors.items()}, "ckpt/tensors.json")
    for name in ("tensors.pt", "tensors-protocol4.pt", "tensors-legacy.pt"):
        # torch's own weights_only unpickler stops at protocol 4's FRAME opcode (torch 2.11), so that file is read back
        # the unrestricted way: it is ours.
        back = torch.load(path("ckpt", name), weights_only=name != "tensors-protocol4.pt")
        assert all(torch.equal(back[k], v) for k, v in tensors.items()), name
    log("ckpt: tensors.pt (zip, protocol 2), tensors-protocol4.pt, tensors-legacy.pt")


class SystemCall:
    """What a malicious pickle holds: unpickling calls os.system (posix.system) with an argument of its choice."""

    def __reduce__(self):
        return os.system, ("echo planted by sdspark fixtures: this must never run",)


def make_refused_files():
    planted = {"state_dict": OrderedDict(weight=torch.ones(2, 2), payload=SystemCall())}
    torch.save(planted, path("ckpt", "planted-os-system.ckpt"))
    torch.save(planted, path("ckpt", "planted-os-system-legacy.ckpt"), _use_new_zipfile_serialization=False)
    torch.save(torch.nn.Linear(2, 2), path("ckpt", "whole-module.pt"))
    for name in ("planted-os-system.ckpt", "planted-os-system-legacy.ckpt", "whole-module.pt"):
        try:
            torch.load(path("ckpt", name), weights_only=True)
            raise AssertionError(f"torch.load(weights_only=True) accepted {name}")
        except Exception as e:  # torch's own restricted unpickler refuses them too; its words, for the README
            log(f"ckpt: torch.load(weights_only=True) refuses {name}: {str(e).splitlines()[-1][:200]}")


def make_fp16_variant_folder():
    """diffusers' fp16 variant layout (what from_pretrained(variant="fp16") reads and Hub repos ship):
    unet/ and vae/ diffusion_pytorch_model.fp16.safetensors; text_encoder/ as the older pickle
    pytorch_model.fp16.bin that repositories such as stable-diffusion-v1-5 still carry."""
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(os.path.join(FIXTURES, "tiny-sd"), safety_checker=None,
                                                   requires_safety_checker=False)
    pipe.to(torch.float16)
    folder = os.path.join(OUT, "tiny-sd-fp16")
    pipe.save_pretrained(folder, variant="fp16", safe_serialization=True)
    te_dir = os.path.join(folder, "text_encoder")
    for name in os.listdir(te_dir):
        if name.endswith(".safetensors"):
            os.remove(os.path.join(te_dir, name))
    torch.save(pipe.text_encoder.state_dict(), os.path.join(te_dir, "pytorch_model.fp16.bin"))
    for name in ("vocab.json", "merges.txt"):  # what users' SD folders carry; transformers 5 writes tokenizer.json only
        dst = os.path.join(folder, "tokenizer", name)
        if not os.path.exists(dst):
            shutil.copy(os.path.join(FIXTURES, "tiny-sd", "tokenizer", name), dst)
    back = StableDiffusionPipeline.from_pretrained(folder, variant="fp16", torch_dtype=torch.float16,
                                                   safety_checker=None, requires_safety_checker=False)
    for name in ("unet", "vae", "text_encoder"):
        a, b = getattr(pipe, name).state_dict(), getattr(back, name).state_dict()
        assert all(torch.equal(a[k], b[k]) for k in a), f"fp16 {name} differs after from_pretrained(variant='fp16')"
    files = sorted(os.path.relpath(os.path.join(r, f), folder) for r, _, fs in os.walk(folder) for f in fs)
    log("tiny-sd-fp16: " + ", ".join(files))


# ---------------------------------------------------------------------------------------------------------------
# Samplers: Karras sigmas, DPM++ 2M SDE, DDIM with eta > 0, UniPC, LCM; noise passed in.
# ---------------------------------------------------------------------------------------------------------------

def trajectory(name, a1111, cls, overrides, steps=10, eta=None, sigmas_from=None):
    """set_timesteps(steps); latents = latents_init * init_noise_sigma; per step k: model_input =
    scale_model_input(latents, t), model_output = fake_model(model_input, t), latents = step(...).prev_sample.
    Noise: `variance_noise=` where step takes it (DDIM, DPM-Solver), else what randn_tensor returns is replayed
    from the same pre-drawn list; step.{k}.noise is the noise step k used."""
    sched = cls.from_config(dict(SCHEDULER_SD15, **overrides))
    sched.set_timesteps(steps)
    if sigmas_from is not None:
        source = sigmas_from.from_config(dict(SCHEDULER_SD15, **overrides, use_karras_sigmas=True))
        source.set_timesteps(steps)
        sched.sigmas, sched.timesteps = source.sigmas.clone(), source.timesteps.clone()
    latents_init = torch.randn(1, 4, 8, 8, generator=gen(50))
    pre = [torch.randn(1, 4, 8, 8, generator=gen(51 + k)) for k in range(steps)]
    used = []
    module = sys.modules[cls.__module__]
    original_randn = getattr(module, "randn_tensor", None)

    def replay(shape, generator=None, device=None, dtype=None, layout=None):
        n = pre[len(used)]
        assert tuple(n.shape) == tuple(shape)
        used.append(len(used))
        return n.to(dtype=dtype)

    if original_randn is not None:
        module.randn_tensor = replay
    kw = {}
    passes_noise = "variance_noise" in cls.step.__code__.co_varnames
    try:
        init_sigma = float(sched.init_noise_sigma)
        latents = latents_init * sched.init_noise_sigma
        t = {"latents_init": latents_init, "latents": latents, "timesteps": sched.timesteps.to(torch.float64),
             "alphas_cumprod": sched.alphas_cumprod}
        if getattr(sched, "sigmas", None) is not None:
            t["sigmas"] = sched.sigmas
        for k, ts in enumerate(sched.timesteps):
            model_input = sched.scale_model_input(latents, ts)
            eps = fake_model(model_input, ts)
            kw = {"eta": eta} if eta is not None else {}
            if passes_noise:
                kw["variance_noise"] = pre[k]
            latents = sched.step(eps, ts, latents, **kw).prev_sample
            t[f"step.{k}.model_input"] = model_input
            t[f"step.{k}.model_output"] = eps
            t[f"step.{k}.prev_sample"] = latents
            t[f"step.{k}.noise"] = pre[k]
    finally:
        if original_randn is not None:
            module.randn_tensor = original_randn
    save_file({k: v.detach().to(torch.float32).contiguous().clone() for k, v in t.items()}, path("samplers", f"{name}.safetensors"))
    case = {"name": name, "a1111": a1111, "class": cls.__name__, "config": jsonable(sched.config), "kind": "trajectory",
            "num_inference_steps": steps, "eta": eta if eta is not None else 0.0, "init_noise_sigma": init_sigma,
            "timesteps": sched.timesteps.tolist(), "fake_model": FAKE_MODEL,
            "noise": "step.{k}.noise is the unit Gaussian noise of step k (" + (
                "passed as variance_noise" if passes_noise else "returned by randn_tensor inside step") + ")"}
    if "sigmas" in t:
        case["sigmas"] = t["sigmas"].tolist()
    if sigmas_from is not None:
        case["sigmas_from"] = sigmas_from.__name__ + " with use_karras_sigmas=True (diffusers' " + cls.__name__ \
            + " has no Karras option; its step runs over those sigmas and timesteps, as k-diffusion's does)"
    log(f"samplers: {name}: timesteps {[round(float(x), 3) for x in sched.timesteps]}, noise draws used "
        f"{len(used) if not passes_noise else 'passed'}")
    return case


def make_sampler_fixtures():
    from diffusers import (DDIMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler,
                           EulerDiscreteScheduler, LCMScheduler, UniPCMultistepScheduler)

    karras = {"use_karras_sigmas": True}
    dpm = {"algorithm_type": "dpmsolver++", "solver_order": 2}
    sde = {"algorithm_type": "sde-dpmsolver++", "solver_order": 2}
    specs = [
        ("euler_karras", "Euler Karras", EulerDiscreteScheduler, karras, {}),
        ("euler_karras_leading", "Euler Karras", EulerDiscreteScheduler, dict(karras, timestep_spacing="leading"), {}),
        ("euler_karras_v_prediction", "Euler Karras", EulerDiscreteScheduler,
         dict(karras, timestep_spacing="trailing", prediction_type="v_prediction"), {}),
        ("euler_a_karras", "Euler a Karras", EulerAncestralDiscreteScheduler, {},
         {"sigmas_from": EulerDiscreteScheduler}),
        ("dpmpp_2m_karras", "DPM++ 2M Karras", DPMSolverMultistepScheduler, dict(dpm, **karras), {}),
        ("dpmpp_2m_karras_25", "DPM++ 2M Karras", DPMSolverMultistepScheduler, dict(dpm, **karras), {"steps": 25}),
        ("dpmpp_2m_karras_v_prediction", "DPM++ 2M Karras", DPMSolverMultistepScheduler,
         dict(dpm, **karras, prediction_type="v_prediction"), {}),
        ("dpmpp_2m_sde", "DPM++ 2M SDE", DPMSolverMultistepScheduler, sde, {}),
        ("dpmpp_2m_sde_karras", "DPM++ 2M SDE Karras", DPMSolverMultistepScheduler, dict(sde, **karras), {}),
        ("dpmpp_2m_sde_v_prediction_leading", "DPM++ 2M SDE", DPMSolverMultistepScheduler,
         dict(sde, prediction_type="v_prediction", timestep_spacing="leading"), {}),
        ("ddim_eta", "DDIM", DDIMScheduler, {}, {"eta": 0.5}),
        ("ddim_eta1_v_prediction", "DDIM", DDIMScheduler,
         {"prediction_type": "v_prediction", "timestep_spacing": "trailing"}, {"eta": 1.0}),
        ("ddim_eta1_clip", "DDIM", DDIMScheduler,
         {"clip_sample": True, "beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02}, {"eta": 1.0}),
        ("unipc", "UniPC", UniPCMultistepScheduler, {}, {}),
        ("unipc_karras", "UniPC Karras", UniPCMultistepScheduler, karras, {}),
        ("unipc_v_prediction_leading", "UniPC", UniPCMultistepScheduler,
         {"prediction_type": "v_prediction", "timestep_spacing": "leading"}, {}),
        ("unipc_bh1", "UniPC", UniPCMultistepScheduler, {"solver_type": "bh1"}, {}),
        ("lcm", "LCM", LCMScheduler, {}, {"steps": 4}),
        ("lcm_8_v_prediction", "LCM", LCMScheduler, {"prediction_type": "v_prediction"}, {"steps": 8}),
    ]
    cases = []
    for name, a1111, cls, overrides, extra in specs:
        try:
            cases.append(trajectory(name, a1111, cls, overrides, **extra))
        except Exception:
            log(f"samplers: {name} FAILED\n" + traceback.format_exc())
    write_json(cases, "samplers/cases.json")
    if len(cases) != len(specs):
        raise RuntimeError(f"{len(specs) - len(cases)} sampler cases failed")


def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    torch.manual_seed(0)
    failed = []
    for part in (make_checkpoints, make_tensor_files, make_refused_files, make_fp16_variant_folder,
                 make_sampler_fixtures):
        try:
            part()
            log(f"{part.__name__} done")
        except Exception:
            failed.append(part.__name__)
            log(f"{part.__name__} FAILED\n" + traceback.format_exc())
    versions = {"python": sys.version.split()[0], "torch": torch.__version__, "numpy": np.__version__}
    for name in ("diffusers", "transformers", "safetensors"):
        try:
            versions[name] = __import__(name).__version__
        except Exception as e:
            versions[name] = f"unavailable: {e}"
    write_json({"versions": versions, "log": LOG}, "ckpt/versions.json")
    print_files()
    print(json.dumps(versions))
    if failed:
        print("FAILED parts: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
