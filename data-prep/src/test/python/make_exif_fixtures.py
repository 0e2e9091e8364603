"""Writes the EXIF-orientation fixtures of ExifOrientationTest with Pillow, and Pillow's answers.

Run from the repository root with a Python that has Pillow (here /usr/bin/python3, Pillow 9.4):
    /usr/bin/python3 data-prep/src/test/python/make_exif_fixtures.py
Each JPEG is a 96x64 frame whose quadrants are red (top left), green (top right), blue (bottom
left) and white (bottom right), saved with an EXIF block whose IFD0 Orientation is 6 or 8, as a
phone held upright writes it. upright.json records what ImageOps.exif_transpose makes of each:
the size and the colour at the centre of each quadrant of the turned image.
"""
import json
import pathlib

from PIL import Image, ImageOps

OUT = pathlib.Path("data-prep/src/test/resources/exif")
QUADRANTS = {"top_left": (255, 0, 0), "top_right": (0, 255, 0), "bottom_left": (0, 0, 255), "bottom_right": (255, 255, 255)}


def frame():
    im = Image.new("RGB", (96, 64))
    for name, colour in QUADRANTS.items():
        x = 0 if "left" in name else 48
        y = 0 if "top" in name else 32
        im.paste(colour, (x, y, x + 48, y + 32))
    return im


def centres(im):
    w, h = im.size
    return {name: list(im.getpixel(((w // 4) if "left" in name else (3 * w // 4), (h // 4) if "top" in name else (3 * h // 4))))
            for name in QUADRANTS}


answers = {}
for orientation in (6, 8):
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = OUT / f"orientation-{orientation}.jpg"
    frame().save(path, "JPEG", quality=95, exif=exif.tobytes())
    upright = ImageOps.exif_transpose(Image.open(path))
    answers[path.name] = {"orientation": orientation, "width": upright.size[0], "height": upright.size[1],
                          "centres": centres(upright.convert("RGB"))}
(OUT / "upright.json").write_text(json.dumps(answers, indent=2) + "\n")
print(json.dumps(answers))
