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
# Effort, measured with ``bench_images.py --effort`` (bench/RESULTS.md "Encoder effort"): at the quality
# that keeps JPEG 82's SSIM, AVIF (aom) speed 9 gives the bytes and SSIM of speed 8 at ~60 % of its CPU
# (10 is no faster). WebP method 4 stays: methods 0-2 are 2-3x cheaper but, re-matched to the JPEG's
# SSIM, larger than the JPEG (never kept); 3, 5 and 6 cost as much or more for the same bytes.
_AVIF_SPEED = 9
_WEBP_METHOD = 4
# PNG: Pillow's optimize costs 2.6x zlib-ng level 6 for ~9 % fewer bytes. The full-size PNG is
# always optimized (it is the file shipped under the source's name, and what audit counts); a srcset
# copy of a PNG whose WebP copies are made is saved at level 6: only browsers without WebP take it.
_PNG_LEVEL_FALLBACK = 6
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
ENCODER_SETTINGS = f"webp{_WEBP_QUALITY_OFFSET:+d}m{_WEBP_METHOD}/avif{_AVIF_QUALITY_OFFSET:+d}/speed{_AVIF_SPEED}/png{_PNG_LEVEL_FALLBACK}/keep{KEEP_RATIO}/jpeg-avif-only"


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


def _lossless(im: Any, fmt: str, icc: bytes | None, orientation: int, fallback: bool = False) -> bytes | None:
    """PNG or still GIF re-saved losslessly: the smaller of a plain optimized save and a palette; a
    PNG that only ``fallback`` browsers get is saved at zlib level 6 rather than optimized."""
    from PIL import Image, ImageChops

    if im.mode not in ("1", "L", "LA", "P", "PA", "RGB", "RGBA"):
        return None  # 16-bit and other exotic modes: re-saving could lose depth
    exif = _orientation_exif(orientation) if fmt == "PNG" else None

    def save(image: Any) -> bytes:
        out = io.BytesIO()
        params: dict[str, Any] = {"format": fmt}
        if fmt == "PNG" and fallback:
            params["compress_level"] = _PNG_LEVEL_FALLBACK
        else:
            params["optimize"] = True
        if fmt == "PNG":
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
    """The modern copy of a decoded still image, oriented as it displays, only under ``limit``.

    From a JPEG: lossy AVIF at the quality matched to the JPEG's (see the offsets above), or WebP where
    this Pillow has no AVIF. From a PNG or GIF: lossless WebP, since the author chose a lossless
    format (charts, text, UI)."""
    return {suffix: blob for suffix, blob in _modern(_shown(im, orientation), fmt, quality, icc).items() if len(blob) < limit}


def _modern(shown: Any, fmt: str, quality: int, icc: bytes | None, only: set[str] | None = None, avif: bool | None = None) -> dict[str, bytes]:
    """The modern copy of ``shown`` (already turned as it displays), whatever its size: AVIF of a
    JPEG (WebP when ``avif`` is False; None asks this Pillow), lossless WebP of a PNG or GIF; ``only``
    those suffixes when given."""
    from PIL import features

    if shown.mode not in ("RGB", "RGBA"):
        shown = shown.convert("RGBA" if "A" in shown.mode or "transparency" in shown.info else "RGB")
    jobs: list[tuple[str, dict[str, Any]]] = []
    if fmt == "JPEG" and (features.check("avif") if avif is None else avif):
        # AVIF only: at the JPEG's SSIM it is 79 % of the JPEG's bytes and WebP 94 %, and every browser
        # that shows AVIF shows WebP too, so WebP would serve only the few that show WebP and not AVIF
        # (a 6 % saving over the JPEG they get instead) for 1.3 s of the example's ~9 s of image CPU.
        jobs.append((".avif", {"format": "AVIF", "quality": _matched(quality, _AVIF_QUALITY_OFFSET), "speed": _AVIF_SPEED, "max_threads": 1}))
    elif fmt == "JPEG":  # a Pillow without AVIF: WebP is the modern format it can make
        jobs.append((".webp", {"format": "WEBP", "quality": _matched(quality, _WEBP_QUALITY_OFFSET), "method": _WEBP_METHOD}))
    else:
        # method 4 with effort 50 is within 0.2 % of the smallest lossless WebP at 1/40 of the time; the
        # cheaper m0-m2 settings give 1-19 % more bytes, and this WebP is what browsers get (--effort)
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
