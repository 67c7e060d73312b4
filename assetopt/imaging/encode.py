"""Encoders: the bytes one decoded still image becomes (JPEG, lossless PNG/GIF, WebP/AVIF), and the
quality numbers behind them.

Pure: a decoded Pillow image in, bytes out; nothing here opens, reads or writes a file, and nothing
decides what is kept beyond the size limit it is given (``optimize.py`` does).
"""

from __future__ import annotations

import io
from typing import Any

from ..text.compress import KEEP_RATIO
from ._pil import _orientation_exif, _shown

__all__ = ["DEFAULT_QUALITY", "ENCODER_SETTINGS", "KEEP_RATIO"]

DEFAULT_QUALITY = 82  # measured on the example's photos: see bench/RESULTS.md "## Images"
_AVIF_SPEED = 8  # libavif speed 0-10: 8 is ~3.5x faster than the default 6 and ~3 % bigger
_PALETTE_MAX_PIXELS = 16_000_000  # colour counting and the lossless check are skipped above this

# Matched to the JPEG by SSIM against the source (bench_images.py --match, bench/RESULTS.md "Variant
# quality"): the lowest WebP/AVIF quality whose mean SSIM on the example's photos reaches JPEG 82's
# (0.970) with no image more than 0.002 worse, and on generated photos too. WebP 91 and AVIF 78; the
# old WebP 82 / AVIF 60 scored 0.932 / 0.943, visibly softer. At equal SSIM, WebP is 94 % of the
# JPEG's bytes and AVIF 79 %, so on grainy photos WebP is often not kept (it must beat the JPEG):
# the fallback JPEG is served, never a worse-looking variant. Tested: tests/test_variant_quality.py.
# Other JPEG qualities keep the same offsets (an approximation measured only at 82). Tests that expect
# variants need a photo that is not very noisy: a noisy one's matched variants outweigh its JPEG.
_WEBP_QUALITY_OFFSET = 9
_AVIF_QUALITY_OFFSET = -4
# Part of the build's cache key: a change of these numbers must not serve files encoded with the old ones.
ENCODER_SETTINGS = f"webp{_WEBP_QUALITY_OFFSET:+d}/avif{_AVIF_QUALITY_OFFSET:+d}/speed{_AVIF_SPEED}/keep{KEEP_RATIO}"


def _jpeg(im: Any, quality: int, icc: bytes | None, orientation: int, subsampling: int | str = "keep") -> bytes | None:
    if im.mode not in ("L", "RGB"):
        return None  # CMYK/YCCK: Adobe's inverted CMYK and its profiles are too easy to get wrong
    params: dict[str, Any] = {"format": "JPEG", "quality": quality, "optimize": True, "progressive": True, "subsampling": subsampling}
    if icc:
        params["icc_profile"] = icc
    if exif := _orientation_exif(orientation):
        params["exif"] = exif
    out = io.BytesIO()
    im.save(out, **params)
    return out.getvalue()


def _lossless(im: Any, fmt: str, icc: bytes | None, orientation: int) -> bytes | None:
    """PNG or still GIF re-saved losslessly: the smaller of a plain optimized save and a palette."""
    from PIL import Image, ImageChops

    if im.mode not in ("1", "L", "LA", "P", "PA", "RGB", "RGBA"):
        return None  # 16-bit and other exotic modes: re-saving could lose depth
    exif = _orientation_exif(orientation) if fmt == "PNG" else None

    def save(image: Any) -> bytes:
        out = io.BytesIO()
        params: dict[str, Any] = {"format": fmt, "optimize": True}
        if fmt == "PNG":
            params["compress_level"] = 9
            if icc:
                params["icc_profile"] = icc
            if exif:
                params["exif"] = exif
        image.save(out, **params)
        return out.getvalue()

    candidates = [save(im)]
    reference = im.convert("RGBA")
    if fmt == "PNG" and im.mode in ("RGB", "RGBA", "LA") and im.width * im.height <= _PALETTE_MAX_PIXELS:
        colours = reference.getcolors(256)
        if colours is not None:
            palette = reference.quantize(colors=max(len(colours), 2), method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
            if ImageChops.difference(palette.convert("RGBA"), reference).getbbox() is None:
                candidates.append(save(palette))  # only when every pixel survived
    best = min(candidates, key=len)
    if fmt == "GIF":
        with Image.open(io.BytesIO(best)) as check:  # GIF re-saves can remap transparency: verify
            if ImageChops.difference(check.convert("RGBA"), reference).getbbox() is not None:
                return None
    return best


def _variants(im: Any, fmt: str, quality: int, limit: int, icc: bytes | None, orientation: int) -> dict[str, bytes]:
    """WebP (and AVIF) of a decoded still image, oriented as it displays, each only under ``limit``.

    From a JPEG: lossy, WebP and AVIF at qualities matched to the JPEG's (see the offsets above). From a PNG or GIF:
    lossless WebP only, since the author chose a lossless format (charts, text, UI)."""
    return {suffix: blob for suffix, blob in _modern(_shown(im, orientation), fmt, quality, icc).items() if len(blob) < limit}


def _modern(shown: Any, fmt: str, quality: int, icc: bytes | None, only: set[str] | None = None) -> dict[str, bytes]:
    """WebP (and AVIF) of ``shown`` (already turned as it displays), whatever their size; ``only``
    those suffixes when given."""
    from PIL import features

    if shown.mode not in ("RGB", "RGBA"):
        shown = shown.convert("RGBA" if "A" in shown.mode or "transparency" in shown.info else "RGB")
    jobs: list[tuple[str, dict[str, Any]]] = []
    if fmt == "JPEG":
        jobs.append((".webp", {"format": "WEBP", "quality": _matched(quality, _WEBP_QUALITY_OFFSET), "method": 4}))
        if features.check("avif"):
            jobs.append((".avif", {"format": "AVIF", "quality": _matched(quality, _AVIF_QUALITY_OFFSET), "speed": _AVIF_SPEED, "max_threads": 1}))
    else:
        # method 4 with effort 50 is within 0.2 % of the smallest lossless WebP at 1/40 of the time
        jobs.append((".webp", {"format": "WEBP", "lossless": True, "quality": 50, "method": 4}))
    out: dict[str, bytes] = {}
    for suffix, params in jobs:
        if only is not None and suffix not in only:
            continue
        if icc:
            params["icc_profile"] = icc
        buf = io.BytesIO()
        try:
            shown.save(buf, **params)
        except (OSError, ValueError):  # WebP stops at 16383 px a side: no variant, not an error
            continue
        out[suffix] = buf.getvalue()
    return out


def _matched(jpeg_quality: int, offset: int) -> int:
    """WebP's and AVIF's quality scales are not JPEG's: the same number is a different fidelity."""
    return max(1, min(100, jpeg_quality + offset))
