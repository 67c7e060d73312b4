"""Downscaled copies of one decoded image for ``srcset`` (the build's ``image_widths``).

Pure: a decoded Pillow image in, ``{width: {suffix: bytes}}`` out; never reads or writes a file. Each
copy is encoded like the full-size file (``encode.py``) and kept only when it is smaller than the next
bigger kept copy of its format, so a narrower candidate that saves nothing is never made; a WebP or
AVIF copy also only when it is smaller than the source-format copy at that width: a downscaled photo's JPEG often beats its matched-quality WebP/AVIF, and ``{% picture %}``
then offers that JPEG in the modern ``<source>`` (``build/picture.py``).
"""

from __future__ import annotations

from typing import Any

from ._pil import _shown
from .encode import _jpeg, _lossless, _modern

__all__: list[str] = []

# The modern formats a JPEG's srcset copies are made in. Not WebP: downscaled, its matched-quality copy
# beat the JPEG copy of its width in 6 of 31 tries on the example; with them, a browser showing AVIF
# fetches 1 KB less of the 1,048 KB its 480 px slots take, for 0.9 s more of the 9.8 s CPU its images
# cost (bench_images.py --widths, with and without --webp-widths; bench/RESULTS.md "Responsive
# widths"). Nor is a full-size lossy WebP (encode.py): {% picture %} lists the JPEG copies in its <source>.
_LOSSY_WIDTH_FORMATS = frozenset({".avif"})


def _widths(
    im: Any,
    fmt: str,
    suffix: str,
    quality: int,
    icc: bytes | None,
    orientation: int,
    widths: tuple[int, ...],
    full_bytes: int,
    variants: dict[str, bytes],
) -> dict[int, dict[str, bytes]]:
    """Downscaled copies, widest first, each kept under the next bigger kept copy of its format
    (``full_bytes``: the full-size file shipped in the source's format; ``variants``: its WebP/AVIF)."""
    from PIL import Image

    shown = _shown(im, orientation)
    if fmt == "JPEG" and shown.mode not in ("L", "RGB"):
        return {}
    if shown.mode not in ("L", "LA", "RGB", "RGBA"):
        # P and 1 would be resized with NEAREST; palette transparency must become alpha first
        shown = shown.convert("RGBA" if "A" in shown.mode or "transparency" in shown.info else "RGB")
    full_w, full_h = shown.size
    # "keep" only works on the decoded JPEG itself: a copy gets the source's subsampling by number
    sampling = _sampling(im) if fmt == "JPEG" else -1
    limits = {suffix: full_bytes, **{s: len(b) for s, b in variants.items()}}
    out: dict[int, dict[str, bytes]] = {}
    for width in sorted((w for w in widths if w < full_w), reverse=True):
        height = max(1, (2 * full_h * width + full_w) // (2 * full_w))  # rounded half up, like the rewrite
        small = shown.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if fmt == "JPEG":
            own = _jpeg(small, quality, icc, 1, sampling if sampling >= 0 else 2)
        else:
            own = _lossless(small, "PNG", icc, 1, fallback=".webp" in variants)
        kept: dict[str, bytes] = {}
        if own is not None and len(own) < limits[suffix]:
            kept[suffix] = own
            limits[suffix] = len(own)
        wanted = set(limits) - {suffix}  # only the formats that have a full-size variant
        if fmt == "JPEG":
            wanted &= _LOSSY_WIDTH_FORMATS
        for modern, blob in (_modern(small, fmt, quality, icc, wanted) if wanted else {}).items():
            # Kept only under its next wider copy and under the source format's copy of this width (or
            # its next wider one), which every browser can take instead.
            if len(blob) < min(limits[modern], limits[suffix]):
                kept[modern] = blob
                limits[modern] = len(blob)
        if kept:
            out[width] = kept
    return out


def _sampling(im: Any) -> int:
    from PIL import JpegImagePlugin

    return int(JpegImagePlugin.get_sampling(im))
