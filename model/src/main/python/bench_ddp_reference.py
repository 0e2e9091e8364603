"""PyTorch's own data parallelism, timed as sdspark's DataParallelBenchmark times sdspark's.

Run with torchrun, one process per GPU:

    PYTHONPATH=<diffusers>/src torchrun --nproc-per-node 2 bench_ddp_reference.py --batches 8,32

Prints JSON lines from rank 0 with the fields of the Java benchmark:
- all_reduce: torch.distributed.all_reduce (NCCL) of a buffer of --elements values, float32 and
  float16, seconds per call from CUDA events, bus bandwidth as nccl-tests defines it;
- train: diffusers' UNet2DConditionModel (SD 1.5 shapes, random weights, SDPA attention) trained
  with fp16 autocast + GradScaler + fused AdamW on synthetic latents, on rank 0 alone (the
  1-GPU number) and under DistributedDataParallel on every rank; samples/s over all GPUs.
"""
import argparse
import json
import os
import time

import torch
import torch.distributed as dist

TEXT_TOKENS = 77


def sd15_unet(sample_size):
    from diffusers import UNet2DConditionModel
    return UNet2DConditionModel(sample_size=sample_size, cross_attention_dim=768,
                                block_out_channels=(320, 640, 1280, 1280), attention_head_dim=8, layers_per_block=2)


def tiny_unet(sample_size):
    from diffusers import UNet2DConditionModel
    return UNet2DConditionModel(sample_size=sample_size, cross_attention_dim=32, block_out_channels=(32, 64),
                                down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                                up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), attention_head_dim=8,
                                layers_per_block=1, norm_num_groups=8)


def report(rank, **fields):
    if rank == 0:
        print(json.dumps(fields), flush=True)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def all_reduce(args, rank, world, device):
    for dtype in (torch.float32, torch.float16):
        buffer = torch.ones(args.elements, dtype=dtype, device=device)
        for _ in range(args.warmup):
            dist.all_reduce(buffer)
        sync(device)
        start = time.perf_counter()
        for _ in range(args.steps):
            dist.all_reduce(buffer)
        sync(device)
        seconds = (time.perf_counter() - start) / args.steps
        size = buffer.numel() * buffer.element_size()
        report(rank, bench="all_reduce", impl="torch.distributed", world=world, dtype=str(dtype).split(".")[1],
               elements=args.elements, bytes=size, seconds=seconds, algbw_gb_per_s=size / seconds / 1e9,
               busbw_gb_per_s=size * 2 * (world - 1) / world / seconds / 1e9)
        del buffer


def train(args, rank, world, device, batch, alone):
    """Samples/s over all GPUs; alone: rank 0 without DDP while the others wait."""
    if alone and rank != 0:
        dist.barrier()
        return
    latent = args.resolution // 8
    torch.manual_seed(0)
    with device:  # initialised where it trains
        unet = tiny_unet(latent) if args.tiny else sd15_unet(latent)
    model = unet if alone else torch.nn.parallel.DistributedDataParallel(unet, device_ids=[device.index] if device.type == "cuda" else None)
    fused = device.type == "cuda"
    optimizer = torch.optim.AdamW(unet.parameters(), lr=1e-5, weight_decay=1e-2, fused=fused)
    scaler = torch.amp.GradScaler(device.type, enabled=device.type == "cuda")
    sample = (batch, unet.config.in_channels, latent, latent)
    text = (batch, TEXT_TOKENS, unet.config.cross_attention_dim)
    autocast = torch.autocast(device.type, dtype=torch.float16, enabled=device.type == "cuda")

    def step():
        latents = torch.randn(sample, device=device)
        noise = torch.randn(sample, device=device)
        timesteps = torch.randint(0, 1000, (batch,), device=device)
        context = torch.randn(text, device=device)
        with autocast:
            prediction = model(latents, timesteps, context).sample
        loss = torch.nn.functional.mse_loss(prediction.float(), noise)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        loss.item()

    for _ in range(args.warmup):
        step()
    sync(device)
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync(device)
    seconds = (time.perf_counter() - start) / args.steps
    gpus = 1 if alone else world
    report(rank, bench="train", impl="pytorch-ddp" if not alone else "pytorch", world=gpus, batch_per_gpu=batch,
           dtype="float16-amp", seconds_per_step=seconds, samples_per_s=batch * gpus / seconds,
           peak_gib=torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None)
    del model, unet, optimizer
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    if alone:
        dist.barrier()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--elements", type=int, default=0,
                        help="all-reduce buffer length; default: the SD 1.5 UNet's parameters, each padded to 256 as"
                             " sdspark's flat layout does")
    parser.add_argument("--batches", default="8")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--resolution", type=int, default=512)
    parser.add_argument("--tiny", action="store_true", help="a tiny UNet, for dry runs on a CPU")
    parser.add_argument("--skip-all-reduce", action="store_true")
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()

    if args.elements == 0:
        with torch.device("meta"):
            args.elements = sum((p.numel() + 255) // 256 * 256 for p in sd15_unet(64).parameters())
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", rank))) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    if not args.skip_all_reduce:
        all_reduce(args, rank, world, device)
    for batch in [] if args.skip_train else (int(b) for b in args.batches.split(",")):
        train(args, rank, world, device, batch, alone=True)
        train(args, rank, world, device, batch, alone=False)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
