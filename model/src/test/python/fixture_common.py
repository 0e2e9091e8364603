"""What make_fixtures.py, make_sdxl_fixtures.py and make_ckpt_sampler_fixtures.py share: writing under the output
folder, the log that ends up in their versions json, seeded random tiny models, CLIP token ids, diffusers' single-file
conversion, and the stand-in model and SD 1.x schedule of the scheduler trajectories.

A generator imports it from its own folder (Python puts a script's folder first on sys.path), so a generator copied
elsewhere to run needs this file copied beside it.
"""

import json
import math
import os
import subprocess
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

MAX_LEN = 77
LOG = []  # every log line, in order
_out = None


def set_output(folder):
    """Makes `folder` the root that path() resolves under; returns it, absolute."""
    global _out
    _out = os.path.abspath(folder)
    return _out


def log(msg):
    print(msg, flush=True)
    LOG.append(msg)


def path(*parts):
    p = os.path.join(_out, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def save_tensors(tensors, rel, metadata=None):
    """Floats are stored as F32 (references are computed in float64), integers as I64; returns what was stored."""
    out = {}
    for k, v in tensors.items():
        v = v.detach().cpu()
        out[k] = (v.to(torch.float32) if v.is_floating_point() else v.to(torch.int64)).contiguous().clone()
    save_file(out, path(rel), metadata={k: str(v) for k, v in (metadata or {}).items()})
    return out


def write_json(obj, rel):
    with open(path(rel), "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


def print_files():
    """Each file written, with its size; returns their total size."""
    total = 0
    for root, _, files in sorted(os.walk(_out)):
        for name in sorted(files):
            p = os.path.join(root, name)
            total += os.path.getsize(p)
            print(f"{os.path.getsize(p):>10}  {os.path.relpath(p, _out)}")
    return total


def convert_to_single_file(script, folder, name):
    """Runs diffusers' conversion `script` on the pipeline `folder` into OUT/name.safetensors and lists its tensors'
    shapes and dtypes in OUT/name.keys.json; returns the file."""
    target = path(f"{name}.safetensors")
    subprocess.run([sys.executable, script, "--model_path", folder, "--checkpoint_path", target, "--use_safetensors"],
                   check=True)
    with safe_open(target, "pt") as f:
        keys = {k: {"shape": list(f.get_slice(k).get_shape()), "dtype": f.get_slice(k).get_dtype()} for k in sorted(f.keys())}
    write_json(keys, f"{name}.keys.json")
    log(f"{name}.safetensors: {len(keys)} tensors")
    return target


def gen(seed):
    return torch.Generator().manual_seed(seed)


def randomise(model, seed):
    """Random weights, so that no zero-initialised layer hides a bug, scaled so that activations stay O(1)."""
    g = gen(seed)
    norms = (torch.nn.GroupNorm, torch.nn.LayerNorm)
    with torch.no_grad():
        for name, p in model.named_parameters():
            owner = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
            r = torch.randn(p.shape, generator=g, dtype=torch.float32)
            if isinstance(owner, norms):
                p.copy_(1 + 0.1 * r if name.endswith("weight") else 0.1 * r)
            elif isinstance(owner, torch.nn.Embedding):
                p.copy_(0.5 * r)
            elif p.dim() == 1:
                p.copy_(0.05 * r)
            else:
                p.copy_(r / math.sqrt(p[0].numel()))
    return model.eval()


def assert_same_weights(a, b, what):
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys(), f"{what}: keys differ after reload: {sorted(set(sa) ^ set(sb))[:10]}"
    for k in sa:
        assert torch.equal(sa[k], sb[k]), f"{what}: {k} differs after reload"


def ids_of(tok, text):
    return tok(text, padding="max_length", max_length=MAX_LEN, truncation=True)["input_ids"]


# The schedule of SD 1.x's scheduler_config.json.
SCHEDULER_SD15 = dict(
    num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1,
    skip_prk_steps=True, set_alpha_to_one=False, clip_sample=False, trained_betas=None)
# The stand-in for a UNet in scheduler trajectories, so that the Java tests replay every one with one helper.
FAKE_MODEL = "eps = 0.5 * model_input * cos(t / 1000) + 0.1 * sin(t / 100), t = the scheduler's timestep value"


def fake_model(model_input, t):
    t = float(t)
    return 0.5 * model_input * math.cos(t / 1000) + 0.1 * math.sin(t / 100)


def jsonable(config):
    out = {}
    for k, v in dict(config).items():
        if isinstance(v, (np.ndarray, torch.Tensor)):
            v = v.tolist()
        elif isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out
