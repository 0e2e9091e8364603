"""diffusers' UNet2DConditionModel timed as `sdspark bench unet` times sdspark's.

Same shapes (Stable Diffusion 1.5, random weights), same steps: forward under no_grad, then
forward + MSE-to-noise backward to every parameter (gradients accumulate, as sdspark's do), each
step synchronised; diffusers' default attention (PyTorch SDPA). Prints one JSON line with the
fields of sdspark's result. Needs torch and diffusers importable (PYTHONPATH=<diffusers>/src).

    python3 bench_unet_reference.py --batch 8 --resolution 512 --fp16 --steps 20 --warmup 5
"""
import argparse
import json
import time

import torch
from diffusers import UNet2DConditionModel

TEXT_TOKENS = 77


def sd15_unet():
    return UNet2DConditionModel(
        sample_size=64,
        cross_attention_dim=768,
        block_out_channels=(320, 640, 1280, 1280),
        attention_head_dim=8,
        layers_per_block=2,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--resolution", type=int, default=512)
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.float16 if args.fp16 else torch.float32
    unet = sd15_unet().to(device, dtype)
    latent = args.resolution // 8
    sample_shape = (args.batch, unet.config.in_channels, latent, latent)
    text_shape = (args.batch, TEXT_TOKENS, unet.config.cross_attention_dim)

    def inputs():
        return (torch.randn(sample_shape, device=device, dtype=dtype),
                torch.randint(0, 1000, (args.batch,), device=device),
                torch.randn(text_shape, device=device, dtype=dtype))

    def forward():
        with torch.no_grad():
            unet(*inputs()).sample.sum().item()

    def training():
        noise = torch.randn(sample_shape, device=device, dtype=dtype)
        prediction = unet(*inputs()).sample
        torch.nn.functional.mse_loss(prediction, noise).backward()
        sync()

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    def seconds_per_step(step):
        for _ in range(args.warmup):
            step()
        sync()
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        return (time.perf_counter() - start) / args.steps

    forward_seconds = seconds_per_step(forward)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    training_seconds = seconds_per_step(training)
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None
    print(json.dumps({
        "impl": "diffusers",
        "device": str(device),
        "batch": args.batch,
        "resolution": args.resolution,
        "dtype": "float16" if args.fp16 else "float32",
        "steps": args.steps,
        "forward_samples_per_s": args.batch / forward_seconds,
        "train_samples_per_s": args.batch / training_seconds,
        "peak_train_gib": peak,
    }))


if __name__ == "__main__":
    main()
