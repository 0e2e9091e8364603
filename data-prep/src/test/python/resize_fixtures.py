"""Reference images for the training-image transform (data-prep TrainingImageTransformTest).

Pillow's resize (what diffusers' torchvision Resize runs on PIL images) followed by the recorded
bucket crop, and for one case the whole diffusers pixel path: crop, horizontal flip, ToTensor,
Normalize([0.5], [0.5]) written with torch ops as torchvision does them (no torchvision needed).

Run from the repository root with the interpreter that has Pillow 9.4, numpy and torch:
    /usr/bin/python3 data-prep/src/test/python/resize_fixtures.py
It rewrites data-prep/src/test/resources/fixtures/resize/ (sources, expected crops, cases.json).
"""
import json
import os

import numpy as np
import PIL
import torch
from PIL import Image

OUT = "data-prep/src/test/resources/fixtures/resize"
FILTERS = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "lanczos": Image.LANCZOS}


def photo_like(width, height, seed):
    """Smooth gradients and discs (compress well, like photos) plus a noisy patch and a hard edge."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.stack([
        128 + 100 * np.sin(x / (width / 5.0) + seed),
        128 + 100 * np.cos(y / (height / 4.0)),
        255 * (x + y) / (width + height),
    ], axis=-1)
    for _ in range(6):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(4, min(width, height) / 3)
        img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(0, 255, size=3)
    img[:, width // 2: width // 2 + 2] = [255, 255, 255]
    ph, pw = height // 4, width // 4
    img[ph: 2 * ph, pw: 2 * pw] = rng.integers(0, 256, size=(ph, pw, 3))
    return Image.fromarray(np.clip(np.round(img), 0, 255).astype(np.uint8), "RGB")


def main():
    os.makedirs(OUT, exist_ok=True)
    sources = {"wide.png": photo_like(300, 200, 1), "small.png": photo_like(61, 47, 2),
               "photo.png": photo_like(517, 389, 3)}
    for name, img in sources.items():
        img.save(os.path.join(OUT, name))
    # the same content as a JPEG: ImageIO's decode may differ from libjpeg's by a level or two
    sources["photo.png"].save(os.path.join(OUT, "photo.jpg"), quality=90)

    # (source, filter, resized w, h, crop left, top, bucket w, h, what it exercises)
    cases = [
        ("wide.png", "bilinear", 97, 65, 16, 0, 64, 64, "downscale by a non-integer factor"),
        ("wide.png", "bicubic", 97, 65, 16, 0, 64, 64, "bicubic: negative lobes, clipping"),
        ("wide.png", "lanczos", 97, 65, 16, 0, 64, 64, "lanczos: support 3"),
        ("wide.png", "bilinear", 300, 130, 100, 33, 64, 64, "height only: a vertical pass alone"),
        ("wide.png", "bilinear", 30, 20, 3, 2, 24, 16, "10x downscale, wide support"),
        ("small.png", "bilinear", 83, 64, 9, 0, 64, 64, "upscale"),
        ("small.png", "lanczos", 83, 64, 9, 0, 64, 64, "upscale, lanczos"),
        ("wide.png", "bilinear", 300, 200, 118, 68, 64, 64, "no resize, crop only"),
        ("photo.png", "bilinear", 340, 256, 10, 0, 320, 256, "a kohya bucket fit (517x389 into 320x256)"),
        ("photo.jpg", "bilinear", 340, 256, 10, 0, 320, 256, "the same from a JPEG"),
    ]
    records = []
    for i, (src, flt, rw, rh, left, top, bw, bh, why) in enumerate(cases):
        img = Image.open(os.path.join(OUT, src)).convert("RGB")
        crop = img.resize((rw, rh), FILTERS[flt]).crop((left, top, left + bw, top + bh))
        name = f"case{i}.png"
        crop.save(os.path.join(OUT, name))
        records.append(dict(source=src, filter=flt, resized_width=rw, resized_height=rh, crop_left=left,
                            crop_top=top, bucket_width=bw, bucket_height=bh, expected=name, why=why))

    # case 0 through diffusers' whole pixel path, flipped: float32 CHW, little-endian
    crop = Image.open(os.path.join(OUT, "case0.png")).convert("RGB").transpose(Image.FLIP_LEFT_RIGHT)
    t = torch.from_numpy(np.asarray(crop).copy()).permute(2, 0, 1).contiguous()
    t = t.to(dtype=torch.float32).div(255)
    t = t.sub_(torch.tensor([0.5]).view(-1, 1, 1)).div_(torch.tensor([0.5]).view(-1, 1, 1))
    t.numpy().astype("<f4").tofile(os.path.join(OUT, "case0-flipped-normalised.f32"))

    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(dict(pillow=PIL.__version__, torch=torch.__version__, cases=records,
                       normalised=dict(case=0, flip=True, file="case0-flipped-normalised.f32")), f, indent=1)


if __name__ == "__main__":
    main()
