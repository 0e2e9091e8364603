"""diffusers' training step timed as `sdspark bench train` times sdspark's.

Same UNet shapes (Stable Diffusion 1.5, or --unet-config), random weights and inputs, the step
diffusers' training scripts take: forward, MSE to the noise, backward, clipping at 1.0, AdamW
(lr 1e-5, weight decay 1e-2; fused on CUDA); with --fp16 under autocast(float16) with a
GradScaler, as accelerate's mixed_precision="fp16" runs it. Full fine-tune: every UNet weight
trained, kept in float32 (autocast computes in float16). LoRA: PEFT adapters of --lora-rank on
to_q/to_k/to_v/to_out.0 (init "gaussian", as train_text_to_image_lora.py), the frozen base in
float16 with --fp16 and the adapters upcast to float32 (cast_training_params). --ema keeps
diffusers' EMAModel (decay 0.9999) of the trained weights on the device, stepped after each
optimizer step, as train_text_to_image.py --use_ema does. Attention is
diffusers' default (PyTorch SDPA). Prints one JSON line with the fields of sdspark's result; peak
memory is the CUDA allocator's (on the CPU: the process's peak resident set, or null).
Needs torch and diffusers importable (PYTHONPATH=<diffusers>/src), and peft for --method lora.

    python3 bench_train_reference.py --method full --batch 8 --resolution 512 --fp16 --steps 20 --warmup 5
"""
import argparse
import json
import resource
import sys
import time

import torch
from diffusers import UNet2DConditionModel

TEXT_TOKENS = 77
LR = 1e-5


def unet_from(args):
    if args.unet_config:
        with open(args.unet_config) as f:
            return UNet2DConditionModel.from_config(json.load(f))
    return UNet2DConditionModel(sample_size=64, cross_attention_dim=768, block_out_channels=(320, 640, 1280, 1280),
                                attention_head_dim=8, layers_per_block=2)


def trained_parameters(unet, args, device):
    if args.method == "full":
        unet.to(device, torch.float32)
        unet.requires_grad_(True)
        return list(unet.parameters())
    from peft import LoraConfig
    unet.requires_grad_(False)
    unet.to(device, torch.float16 if args.fp16 else torch.float32)
    unet.add_adapter(LoraConfig(r=args.lora_rank, lora_alpha=args.lora_rank, init_lora_weights="gaussian",
                                target_modules=["to_k", "to_q", "to_v", "to_out.0"]))
    params = [p for p in unet.parameters() if p.requires_grad]
    for p in params:
        p.data = p.data.float()
    return params


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--method", choices=["full", "lora"], default="full")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--resolution", type=int, default=512)
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--ema", action="store_true")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--lora-rank", type=int, default=4)
    parser.add_argument("--unet-config", default=None)
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    unet = unet_from(args)
    params = trained_parameters(unet, args, device)
    optimizer = torch.optim.AdamW(params, lr=LR, weight_decay=1e-2, **({"fused": True} if device.type == "cuda" else {}))
    ema = None
    if args.ema:
        from diffusers.training_utils import EMAModel
        ema = EMAModel(params, decay=0.9999)
        ema.to(device)
    scaler = torch.cuda.amp.GradScaler(enabled=args.fp16 and device.type == "cuda")
    latent = args.resolution // 8
    sample_shape = (args.batch, unet.config.in_channels, latent, latent)
    text_shape = (args.batch, TEXT_TOKENS, unet.config.cross_attention_dim)
    compute = torch.float16 if args.fp16 else torch.float32

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    def step():
        latents = torch.randn(sample_shape, device=device)
        noise = torch.randn(sample_shape, device=device)
        timesteps = torch.randint(0, 1000, (args.batch,), device=device)
        context = torch.randn(text_shape, device=device)
        with torch.autocast(device.type, dtype=compute, enabled=args.fp16):
            prediction = unet(latents, timesteps, context).sample
        loss = torch.nn.functional.mse_loss(prediction.float(), noise)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        scaler.step(optimizer)
        scaler.update()
        if ema is not None:
            ema.step(params)
        optimizer.zero_grad(set_to_none=True)

    for _ in range(args.warmup):
        step()
    sync()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync()
    seconds = (time.perf_counter() - start) / args.steps
    if device.type == "cuda":
        peak = torch.cuda.max_memory_allocated(device) / 2**30
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20 if sys.platform.startswith("linux") else None
    print(json.dumps({
        "impl": "diffusers",
        "method": args.method,
        "device": str(device),
        "batch": args.batch,
        "resolution": args.resolution,
        "dtype": "float16" if args.fp16 else "float32",
        "ema": args.ema,
        "steps": args.steps,
        "trained_parameters": sum(p.numel() for p in params),
        "samples_per_s": args.batch / seconds,
        "peak_gib": peak,
    }))


if __name__ == "__main__":
    main()
