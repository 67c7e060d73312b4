"""Photo-like test images made with Pillow: one generator, each test's kind of photo spelled out in
its parameters (``jpeg(photo(...), quality=...)`` for the file).

Flat colours compress to almost nothing and would flatter every size and quality a test checks, so
these images have what camera photos have: smooth gradients, soft shapes, and noise or film grain.
The gradients, shapes and grain come from ``random.Random(seed)``. The Gaussian noise
(``Image.effect_noise``) comes from the C library's ``rand()``, which Pillow never seeds: a test
process that makes the same images in the same order gets the same bytes, but one call alone does
not pin its noise. Tests therefore compare images they made with each other, never with stored bytes.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

__all__ = ["jpeg", "photo"]

EXIF_ORIENTATION = 0x0112
_GRAIN_BLUR = 0.6  # radius that turns per-pixel random bytes into film-like grain (as example/prepare.py)


def photo(
    width: int = 480,
    height: int = 320,
    *,
    seed: int = 1,
    shapes: int = 8,
    min_radius: int = 10,
    blur: float = 2,
    noise: float | None = 12,
    grain: float | None = None,
) -> Image.Image:
    """An RGB photo: three rotated gradients, ``shapes`` filled circles of radius ``min_radius`` up to
    a third of the short side, blurred by ``blur``; then ``noise`` (sigma of Pillow's per-channel
    Gaussian noise; None for none) and ``grain`` (weight of a seeded, blurred grey grain blended in,
    like example/prepare.py's photos; None for none)."""
    rnd = random.Random(seed)
    bands = [Image.linear_gradient("L").rotate(rnd.randrange(360)).resize((width, height)) for _ in range(3)]
    im = Image.merge("RGB", bands)
    draw = ImageDraw.Draw(im)
    for _ in range(shapes):
        x, y = rnd.randrange(width), rnd.randrange(height)
        r = rnd.randrange(min_radius, max(min_radius + 1, min(width, height) // 3))  # tiny images: the smallest circle
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    im = im.filter(ImageFilter.GaussianBlur(blur))
    if noise is not None:
        im = ImageChops.add(im, Image.merge("RGB", [Image.effect_noise((width, height), noise) for _ in range(3)]), scale=1.0, offset=-128)
    if grain is not None:
        grey = Image.frombytes("L", (width, height), rnd.randbytes(width * height)).filter(ImageFilter.GaussianBlur(_GRAIN_BLUR))
        im = Image.blend(im, Image.merge("RGB", (grey, grey, grey)), grain)
    return im


def jpeg(im: Image.Image, *, quality: int = 95, exif_orientation: int | None = None) -> bytes:
    """``im`` saved as a camera would: JPEG at ``quality`` (95 by default, so a build's re-encode has
    something to save), with an EXIF Orientation tag when ``exif_orientation`` is given."""
    params: dict[str, object] = {"quality": quality}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[EXIF_ORIENTATION] = exif_orientation
        params["exif"] = exif.tobytes()
    out = io.BytesIO()
    im.save(out, "JPEG", **params)
    return out.getvalue()
