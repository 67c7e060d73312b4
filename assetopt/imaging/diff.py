"""Screenshot comparison for ``verify --browser`` and the HTML report.

The only function in this package that writes a file: the diff image at ``out``, which the caller
names (never a source image). Here because Pillow lives only in this package.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import AssetoptError

__all__ = ["screenshot_diff", "same_boxes", "check_screenshot"]

_DIFF_TOLERANCE = 8  # per channel, 0-255: anti-aliasing and colour rounding, not a visible change

# A photo re-encoded (JPEG -> WebP/AVIF) differs in a quarter to a half of its pixels by more than
# _DIFF_TOLERANCE, all of it high-frequency noise: averaged over 8x8 blocks, WebP q40 and AVIF q30
# of a grainy photo stay within 13 of the original. A missing, blank, swapped or shifted picture
# moves block averages by far more than _PHOTO_TOLERANCE over most of the box.
_PHOTO_BLOCK = 8  # px: the block a re-encode's noise is averaged over
_PHOTO_TOLERANCE = 16  # per channel, on block averages
_PHOTO_MAX_CHANGED = 0.01  # fraction of blocks beyond the tolerance a re-encode may have

Box = tuple[int, int, int, int]  # x, y, width, height in screenshot (document) pixels


def same_boxes(a: Iterable[Sequence[int]], b: Iterable[Sequence[int]]) -> list[Box]:
    """The boxes found at exactly the same place and size on both sides, in ``a``'s order: a picture
    that moved or changed size is a layout change, so it is compared pixel by pixel like the rest."""
    in_b = {tuple(int(v) for v in box) for box in b if len(box) == 4}
    out: list[Box] = []
    for box in a:
        t = tuple(int(v) for v in box)
        if len(t) == 4 and t in in_b and t not in out:
            out.append(t)  # type: ignore[arg-type]
    return out


def _changed_mask(delta: Any, tolerance: int) -> Any:
    """255 where any channel of the difference image ``delta`` exceeds ``tolerance``."""
    from PIL import ImageChops

    over = [band.point(lambda v: 255 if v > tolerance else 0) for band in delta.split()]
    return ImageChops.lighter(ImageChops.lighter(over[0], over[1]), over[2])


def _same_picture(a: Any, b: Any) -> bool:
    """Two crops of the same box show the same picture, up to a lossy re-encode's noise."""
    from PIL import ImageChops

    factor = min(_PHOTO_BLOCK, max(1, min(a.width, a.height) // 4))
    mask = _changed_mask(ImageChops.difference(a.reduce(factor), b.reduce(factor)), _PHOTO_TOLERANCE)
    return mask.histogram()[255] <= _PHOTO_MAX_CHANGED * mask.width * mask.height


def screenshot_diff(
    a: Path,
    b: Path,
    out: Path,
    *,
    tolerance: int = _DIFF_TOLERANCE,
    photos_a: Iterable[Sequence[int]] = (),
    photos_b: Iterable[Sequence[int]] = (),
) -> float:
    """The fraction (0..1) of pixels that differ between two screenshots; saves a diff image to ``out``.

    A pixel differs when any channel differs by more than ``tolerance``. Images of different sizes are
    compared on the canvas of the larger width and height: the area only one image covers counts as
    different, so a page that grew or shrank is never "the same". The diff image shows ``b`` faded to
    grey with changed pixels in red (area outside the overlap in pale red).

    ``photos_a``/``photos_b``: the boxes of the pictures each screenshot shows (``(x, y, w, h)``, as
    Chromium reports them). Inside a box at the same place on both sides the pixels count as
    unchanged when the two crops show the same picture up to re-encoding noise (compared on 8x8
    block averages): converting photos to WebP/AVIF is not a broken page, a missing or different
    picture still is. Such boxes are outlined in blue in the diff image.
    """
    from PIL import Image, ImageChops, ImageDraw

    ra, rb = _load_rgb(a), _load_rgb(b)
    width, height = max(ra.width, rb.width), max(ra.height, rb.height)
    ow, oh = min(ra.width, rb.width), min(ra.height, rb.height)
    total = width * height
    if total == 0:
        return 0.0
    mask = Image.new("L", (width, height), 255)  # 255 = different; the overlap is decided below
    changed_in_overlap = 0
    reencoded: list[Box] = []
    if ow and oh:
        overlap_mask = _changed_mask(ImageChops.difference(ra.crop((0, 0, ow, oh)), rb.crop((0, 0, ow, oh))), tolerance)
        for x, y, w, h in same_boxes(photos_a, photos_b):
            x0, y0, x1, y1 = max(0, x), max(0, y), min(ow, x + w), min(oh, y + h)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            crop = (x0, y0, x1, y1)
            if _same_picture(ra.crop(crop), rb.crop(crop)):
                overlap_mask.paste(0, crop)
                reencoded.append((x0, y0, x1 - x0, y1 - y0))
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
    draw = ImageDraw.Draw(base)
    for x, y, w, h in reencoded:
        draw.rectangle((x, y, x + w - 1, y + h - 1), outline=(0, 90, 230), width=2)
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
