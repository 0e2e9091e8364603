"""transformers' BLIP captioning speed with the shapes `sdspark bench caption` uses, as one JSON line.

    python3 bench_blip_generate.py [--model DIR] [--batch 64] [--fp16] [--beams 1] [--new-tokens 20]
                                   [--warmup 5] [--steps 20]

Times BlipForConditionalGeneration.generate(pixel_values) (vision encoder and every decoding step) on the GPU when
there is one, else the CPU. Without --model the weights are random with Salesforce/blip-image-captioning-base's
shapes. Every caption is exactly --new-tokens long (min_length forbids the end token before that), as on the Java
side. `sdspark bench caption --reference THIS_FILE` runs it after its own timing and prints both and the ratio.
"""

import argparse
import json
import time

import torch
import transformers
from transformers import BlipConfig, BlipForConditionalGeneration


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--fp16", action="store_true")
    p.add_argument("--beams", type=int, default=1)
    p.add_argument("--new-tokens", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--steps", type=int, default=20)
    a = p.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.float16 if a.fp16 else torch.float32
    if a.model:
        model = BlipForConditionalGeneration.from_pretrained(a.model)
    else:
        torch.manual_seed(0)
        model = BlipForConditionalGeneration(BlipConfig(text_config={"num_attention_heads": 12}))
    model = model.to(device=device, dtype=dtype).eval()
    size = model.config.vision_config.image_size
    pixels = torch.randn(a.batch, 3, size, size, device=device, dtype=dtype)
    kwargs = dict(num_beams=a.beams, max_new_tokens=a.new_tokens, min_length=1 + a.new_tokens, do_sample=False)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    with torch.inference_mode():
        for _ in range(a.warmup):
            out = model.generate(pixel_values=pixels, **kwargs)
        assert out.shape[1] == 1 + a.new_tokens, out.shape
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        sync()
        start = time.perf_counter()
        for _ in range(a.steps):
            model.generate(pixel_values=pixels, **kwargs)
        sync()
        seconds = (time.perf_counter() - start) / a.steps

    gib = 1024 ** 3
    print(json.dumps({
        "implementation": f"transformers {transformers.__version__}, torch {torch.__version__}",
        "device": str(device), "model": a.model or "random blip-base shapes", "batch": a.batch,
        "dtype": str(dtype).replace("torch.", ""), "beams": a.beams, "new_tokens": a.new_tokens, "warmup": a.warmup,
        "steps": a.steps, "seconds_per_batch": seconds, "images_per_second": a.batch / seconds,
        "peak_allocated_gib": torch.cuda.max_memory_allocated() / gib if device.type == "cuda" else None,
        "peak_reserved_gib": torch.cuda.max_memory_reserved() / gib if device.type == "cuda" else None,
    }))


if __name__ == "__main__":
    main()
