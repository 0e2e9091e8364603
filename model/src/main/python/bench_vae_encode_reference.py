"""diffusers' AutoencoderKL encode timed as `sdspark bench vae` times sdspark's latent cache.

Same work: a batch of square [-1, 1] images from host memory, through the encoder, to the latent
distribution's mean and log-variance back in host memory (float32), after warm-up calls. Random
weights of Stable Diffusion's VAE shapes, or the VAE of --model (a pipeline folder's vae/, or a
VAE folder). Prints one JSON line with the fields of sdspark's result. Needs torch and diffusers
importable (PYTHONPATH=<diffusers>/src).

    python3 bench_vae_encode_reference.py --batch 16 --resolution 512 --fp16 --steps 20 --warmup 5
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from diffusers import AutoencoderKL


def stable_diffusion_vae():
    return AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        block_out_channels=(128, 256, 512, 512),
        layers_per_block=2,
        latent_channels=4,
        norm_num_groups=32,
        sample_size=512,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--resolution", type=int, default=512)
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.float16 if args.fp16 else torch.float32
    if args.model:
        folder = os.path.join(args.model, "vae")
        vae = AutoencoderKL.from_pretrained(folder if os.path.isfile(os.path.join(folder, "config.json")) else args.model)
    else:
        vae = stable_diffusion_vae()
    vae = vae.to(device, dtype).eval()
    images = np.random.default_rng(0).uniform(-1, 1, (args.batch, 3, args.resolution, args.resolution)).astype(np.float32)

    def encode():
        with torch.no_grad():
            latents = vae.encode(torch.from_numpy(images).to(device, dtype)).latent_dist
            latents.mean.float().cpu().numpy()
            latents.logvar.float().cpu().numpy()

    for _ in range(args.warmup):
        encode()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    for _ in range(args.steps):
        encode()
    seconds = (time.perf_counter() - start) / args.steps
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None
    print(json.dumps({
        "impl": "diffusers",
        "device": str(device),
        "batch": args.batch,
        "resolution": args.resolution,
        "dtype": "float16" if args.fp16 else "float32",
        "steps": args.steps,
        "images_per_s": args.batch / seconds,
        "peak_gib": peak,
    }))


if __name__ == "__main__":
    main()
