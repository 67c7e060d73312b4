"""Screenshot comparison for ``verify --browser`` and the HTML report.

The only function in this package that writes a file: the diff image at ``out``, which the caller
names (never a source image). Here because Pillow lives only in this package.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import AssetoptError

__all__ = ["screenshot_diff", "check_screenshot"]

_DIFF_TOLERANCE = 8  # per channel, 0-255: anti-aliasing and colour rounding, not a visible change


def screenshot_diff(a: Path, b: Path, out: Path, *, tolerance: int = _DIFF_TOLERANCE) -> float:
    """The fraction (0..1) of pixels that differ between two screenshots; saves a diff image to ``out``.

    A pixel differs when any channel differs by more than ``tolerance``. Images of different sizes are
    compared on the canvas of the larger width and height: the area only one image covers counts as
    different, so a page that grew or shrank is never "the same". The diff image shows ``b`` faded to
    grey with changed pixels in red (area outside the overlap in pale red).
    """
    from PIL import Image, ImageChops

    ra, rb = _load_rgb(a), _load_rgb(b)
    width, height = max(ra.width, rb.width), max(ra.height, rb.height)
    ow, oh = min(ra.width, rb.width), min(ra.height, rb.height)
    total = width * height
    if total == 0:
        return 0.0
    mask = Image.new("L", (width, height), 255)  # 255 = different; the overlap is decided below
    changed_in_overlap = 0
    if ow and oh:
        delta = ImageChops.difference(ra.crop((0, 0, ow, oh)), rb.crop((0, 0, ow, oh)))
        over = [band.point(lambda v: 255 if v > tolerance else 0) for band in delta.split()]
        overlap_mask = ImageChops.lighter(ImageChops.lighter(over[0], over[1]), over[2])
        changed_in_overlap = overlap_mask.histogram()[255]
        mask.paste(overlap_mask, (0, 0))
    different = changed_in_overlap + (total - ow * oh)
    base = Image.new("RGB", (width, height), (255, 235, 235))  # pale red: outside the overlap
    faded = Image.blend(rb.convert("L").convert("RGB"), Image.new("RGB", rb.size, (255, 255, 255)), 0.6)
    base.paste(faded.crop((0, 0, ow, oh)), (0, 0))
    red = Image.new("RGB", (width, height), (230, 0, 0))
    overlap_only = Image.new("L", (width, height), 0)
    overlap_only.paste(mask.crop((0, 0, ow, oh)), (0, 0))
    base.paste(red, (0, 0), overlap_only)
    out.parent.mkdir(parents=True, exist_ok=True)
    base.save(out, format="PNG")
    return different / total


def _load_rgb(path: Path) -> Any:
    """The screenshot decoded in full; an ``AssetoptError`` naming it when it is not a whole image
    (truncated, not an image, too large): a broken baseline file is the user's to fix, not a crash."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.convert("RGB")  # decodes every row: a truncated file fails here, not later
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise AssetoptError(
            f"cannot read the screenshot {path}: {exc}",
            path=str(path),
            hint="it is truncated or not an image: re-run assetopt audit --browser to take the baseline again",
        ) from None


def check_screenshot(path: Path) -> None:
    """Raise the ``AssetoptError`` ``screenshot_diff`` would, before any page is measured."""
    _load_rgb(path)
