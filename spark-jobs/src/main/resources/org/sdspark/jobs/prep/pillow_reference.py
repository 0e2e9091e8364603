"""The per-image work of `sdspark prep`, written as a plain Python/Pillow script would do it.

Run by `sdspark bench prep --reference` on the same files, in the same invocation, to give a
reference rate. For each image it reads the file and its caption sidecar, opens the header
(size, decompression-bomb limit), decodes the whole image (Image.load, which raises on damaged
data), turns it upright (ImageOps.exif_transpose), applies the quality checks (min side, bytes
per pixel, aspect, caption), hashes the bytes (SHA-256), computes the 64-bit DCT perceptual hash
of a 32x32 BOX-filtered luminance, and assigns the kohya aspect-ratio bucket with its resize and
crop. With --draft, Pillow's JPEG draft mode decodes at 1/2..1/8 of the size in the DCT domain,
as sdspark does.

    python3 pillow_reference.py --settings JSON --out RESULTS.jsonl --processes K \
        [--warmup W] [--draft] --files-from LIST

Writes one JSON line per image to RESULTS.jsonl and, on stdout, one JSON line with the timing.
"""
import argparse
import hashlib
import io
import json
import math
import multiprocessing
import os
import sys
import time

import numpy
from PIL import Image, ImageOps

Image.MAX_IMAGE_PIXELS = None  # the bomb limit is checked below, from the header, like sdspark
SETTINGS = {}
DRAFT = False
COS = numpy.array([[math.cos((2 * x + 1) * u * math.pi / 64) for x in range(32)] for u in range(8)])


def buckets(s):
    area = s["resolution"] ** 2
    step = s["step"]
    found = {(s["resolution"] // step * step,) * 2}
    for width in range(s["bucket_min_side"], s["bucket_max_side"] + 1, step):
        height = min(s["bucket_max_side"], area // width // step * step)
        if height >= s["bucket_min_side"]:
            found.add((width, height))
            found.add((height, width))
    return sorted(found)


def assign(width, height):
    """kohya sd-scripts BucketManager.select_bucket, upscaling allowed."""
    aspect = width / height
    bucket = (width, height)
    if bucket not in SETTINGS["buckets"]:
        bucket = min(SETTINGS["buckets"], key=lambda b: abs(b[0] / b[1] - aspect))
    scale = bucket[1] / height if aspect > bucket[0] / bucket[1] else bucket[0] / width
    resized = (int(width * scale + 0.5), int(height * scale + 0.5))
    return bucket, resized, (max(0, resized[0] - bucket[0]) // 2, max(0, resized[1] - bucket[1]) // 2)


def phash(image):
    grey = numpy.asarray(image.convert("L").resize((32, 32), Image.BOX), dtype=numpy.float64)
    coefficients = (COS @ grey @ COS.T).flatten()
    median = numpy.median(coefficients)
    bits = sum(1 << i for i, c in enumerate(coefficients) if c > median)
    return bits - (1 << 64) if bits >= 1 << 63 else bits


def caption(path):
    stem = os.path.splitext(path)[0]
    for extension in SETTINGS["caption_extensions"]:
        if os.path.exists(stem + extension):
            with open(stem + extension, encoding="utf-8") as f:
                text = f.read().strip()
            if text:
                return text
    return None


def inspect(path):
    s = SETTINGS
    result = {"source": os.path.basename(path)}
    with open(path, "rb") as f:
        data = f.read()
    text = caption(path)
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > s["max_pixels"]:
            return dict(result, reason="decompression_bomb")
        if DRAFT:
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
        image.load()
    except Exception as e:  # Pillow raises OSError, SyntaxError, ValueError for damaged files
        return dict(result, reason="undecodable", detail=str(e))
    if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
        width, height = height, width  # sizes of the upright image; draft mode may have shrunk image.size
    image = ImageOps.exif_transpose(image)
    if min(width, height) < s["min_side"]:
        return dict(result, reason="too_small")
    if len(data) / (width * height) < s["min_bytes_per_pixel"]:
        return dict(result, reason="low_bytes_per_pixel")
    if max(width, height) / min(width, height) > s["max_aspect"]:
        return dict(result, reason="extreme_aspect")
    if s["require_caption"] and not text:
        return dict(result, reason="missing_caption")
    bucket, resized, crop = assign(width, height)
    return dict(result, reason=None, width=width, height=height, sha256=hashlib.sha256(data).hexdigest(),
                phash=phash(image), bucket=list(bucket), resized=list(resized), crop=list(crop))


def peak_rss_kb(_=None):
    """VmHWM: unlike getrusage's ru_maxrss, not inherited across exec from the JVM that started us."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def init(settings, draft):
    global SETTINGS, DRAFT
    SETTINGS = dict(settings, buckets=buckets(settings))
    DRAFT = draft


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--settings", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--draft", action="store_true")
    parser.add_argument("--files-from", required=True, help="a file listing the images, one path a line")
    args = parser.parse_args()
    with open(args.files_from, encoding="utf-8") as listing:
        args.files = [line.rstrip("\n") for line in listing if line.strip()]
    settings = json.loads(args.settings)
    init(settings, args.draft)
    pool = multiprocessing.Pool(args.processes, init, (settings, args.draft)) if args.processes > 1 else None
    run = (lambda paths: pool.map(inspect, paths, chunksize=4)) if pool else (lambda paths: list(map(inspect, paths)))
    run(args.files[:args.warmup])
    start = time.perf_counter()
    results = run(args.files)
    seconds = time.perf_counter() - start
    peak_kb = peak_rss_kb()
    if pool:
        # every worker reports its own peak; the largest stands for them all
        peak_kb = max(peak_kb, max(pool.map(peak_rss_kb, range(4 * args.processes), chunksize=1)))
        pool.close()
        pool.join()
    with open(args.out, "w", encoding="utf-8") as out:
        for r in results:
            out.write(json.dumps(r) + "\n")
    print(json.dumps({"images": len(results), "seconds": seconds, "peak_rss_mb": peak_kb / 1024,
                      "python": sys.version.split()[0], "pillow": Image.__version__}))


if __name__ == "__main__":
    main()
