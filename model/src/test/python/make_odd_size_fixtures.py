"""Odd-size parity fixtures for the UNet and the VAE, made by diffusers from the committed fixture models.

Covers what io/unet*.safetensors and io/vae.safetensors do not: latents whose size is not a multiple of the
UNet's down factor (the up path must upsample to the skip connection's size), a fractional scalar timestep (as
Euler-type schedulers pass), and images/latents of odd sizes through the VAE (asymmetric downsampling padding).

    python3 make_odd_size_fixtures.py FIXTURES_DIR OUT_DIR

FIXTURES_DIR is model/src/test/resources/fixtures (read: tiny-sd/unet, sd2/unet, tiny-sd/vae); the files are
written to OUT_DIR/io/. Run it like make_fixtures.py (diffusers source on PYTHONPATH, see README.md).
References are float64 on the CPU, stored as F32.
"""

import os
import sys

import diffusers
import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from safetensors.torch import save_file

FIXTURES = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2])


def save(tensors, rel):
    out = {k: (v.to(torch.float32) if v.is_floating_point() else v.to(torch.int64)).contiguous() for k, v in tensors.items()}
    os.makedirs(os.path.join(OUT, "io"), exist_ok=True)
    save_file(out, os.path.join(OUT, rel), metadata={
        "generator": "model/src/test/python/make_odd_size_fixtures.py", "diffusers": diffusers.__version__,
        "torch": torch.__version__, "dtype": "float64 on the CPU, stored as F32"})
    print(rel, {k: tuple(v.shape) for k, v in out.items()}, flush=True)


@torch.no_grad()
def unet_odd(folder, rel, seed):
    g = torch.Generator().manual_seed(seed)
    unet = UNet2DConditionModel.from_pretrained(os.path.join(FIXTURES, folder)).double().eval()
    sample = torch.randn(2, 4, 5, 7, generator=g, dtype=torch.float64)
    ehs = torch.randn(2, 77, 32, generator=g, dtype=torch.float64)
    timestep = torch.tensor(651.5, dtype=torch.float64)  # a scalar for the whole batch, fractional
    out = unet(sample, timestep, ehs).sample
    save({"sample": sample, "timestep": timestep, "encoder_hidden_states": ehs, "out": out}, rel)


@torch.no_grad()
def vae_odd(rel, seed):
    g = torch.Generator().manual_seed(seed)
    vae = AutoencoderKL.from_pretrained(os.path.join(FIXTURES, "tiny-sd/vae")).double().eval()
    image = torch.rand(1, 3, 35, 50, generator=g, dtype=torch.float64) * 2 - 1
    latents = torch.randn(1, 4, 5, 3, generator=g, dtype=torch.float64)
    posterior = vae.encode(image).latent_dist
    save({"image": image, "posterior_mean": posterior.mean, "posterior_logvar": posterior.logvar,
          "latents": latents, "decoded": vae.decode(latents).sample}, rel)


if __name__ == "__main__":
    print("torch", torch.__version__, "diffusers", diffusers.__version__, flush=True)
    unet_odd("tiny-sd/unet", "io/unet_odd.safetensors", 70)
    unet_odd("sd2/unet", "io/unet_sd2_odd.safetensors", 71)
    vae_odd("io/vae_odd.safetensors", 72)
