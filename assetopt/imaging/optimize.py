"""One decode of one image: the optimized file, its WebP/AVIF variants and its ``srcset`` widths.

The implementation behind ``assetopt.images`` (import it through that module). Pillow is imported
inside functions only; bytes in, bytes out; never raises for a bad image (``error=...`` instead).
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

from ._pil import _orientation, _web_formats
from .encode import DEFAULT_QUALITY, KEEP_RATIO, _jpeg, _lossless, _variants
from .resize import _widths

__all__ = ["OPTIMIZABLE", "VARIANT_SUFFIXES", "ImageResult", "Responsive", "optimize_responsive"]

OPTIMIZABLE = frozenset({".jpg", ".jpeg", ".png", ".gif"})
VARIANT_SUFFIXES = (".webp", ".avif")  # in the order a <picture> would list them: least supported last
# No WebP/AVIF above this: AVIF on 50 MP took 38 s and 1.3 GB peak RSS (JPEG alone: 2 s, 390 MB), and
# a picture that large is served through its responsive widths, whose variants are small.
_VARIANT_MAX_PIXELS = 16_000_000
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError, struct.error, MemoryError)


@dataclass(frozen=True)
class ImageResult:
    """What to ship for one image. ``data`` is the re-encoded file when ``kept``, else the original."""

    data: bytes
    kept: bool
    format: str | None = None  # what the bytes are (JPEG, PNG, GIF, WEBP, SVG ...), whatever the name says
    size: tuple[int, int] | None = None  # stored width, height (before EXIF orientation)
    original_bytes: int = 0
    note: str = ""  # why nothing was kept, when it was not an error
    error: str | None = None  # the file could not be read: shipped as it is, reported with its path


@dataclass(frozen=True)
class Responsive:
    """Everything the build ships for one image, from one decode (see ``optimize_responsive``)."""

    result: ImageResult
    variants: dict[str, bytes] = field(default_factory=dict)  # full size: {".webp": ..., ".avif": ...}
    # downscaled copies: width -> {suffix: bytes}; the source's own format under its own suffix
    # (".jpg", ".png" ...), the modern formats under ".webp"/".avif"
    widths: dict[int, dict[str, bytes]] = field(default_factory=dict)
    display: tuple[int, int] | None = None  # width, height as shown (EXIF orientation applied)


def optimize_responsive(
    data: bytes, suffix: str, *, quality: int = DEFAULT_QUALITY, variants: bool = True, widths: tuple[int, ...] = ()
) -> Responsive:
    """``optimize_image``, ``modern_variants`` and downscaled copies for ``srcset``, with one decode
    (what the build calls); never raises.

    ``widths``: for each width under the displayed width of a JPEG or PNG, a copy that wide (pixels
    turned as they display, height in proportion) in the source's format, plus WebP/AVIF of it when
    that format has a full-size variant (it beat the source's format at full size, so it is the one
    offered for this image). Each copy is kept only when it is smaller than the next bigger kept copy
    of its format (the full-size file first): a narrower candidate that saves nothing is never made.

    Memory: one decoded copy of the pixels (width x height x 3-4 bytes) plus the encoders' buffers;
    downscaling uses ``reduce`` first (``reducing_gap``), so a copy costs its own size. Pillow's
    ``MAX_IMAGE_PIXELS`` (about 89 MP) stays on and anything above it is refused as a bomb.
    """
    from PIL import Image

    suffix = suffix.lower()
    if suffix == ".svg":
        return Responsive(ImageResult(data, False, "SVG", original_bytes=len(data), note="SVG is left as it is"))
    if suffix not in OPTIMIZABLE:
        return Responsive(ImageResult(data, False, original_bytes=len(data), note=f"{suffix or 'no suffix'}: not a format assetopt re-encodes"))
    formats = _web_formats()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as im:
                return _process(im, data, quality, variants, suffix, widths)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return Responsive(ImageResult(data, False, original_bytes=len(data), error=f"refused as a decompression bomb ({exc})"))
    except Image.UnidentifiedImageError:
        return Responsive(ImageResult(data, False, original_bytes=len(data), error="not an image Pillow can read (wrong extension, or damaged)"))
    except MemoryError:
        return Responsive(ImageResult(data, False, original_bytes=len(data), error="out of memory decoding it"))
    except _READ_ERRORS as exc:
        return Responsive(ImageResult(data, False, original_bytes=len(data), error=f"cannot be decoded: {exc}"))


def _process(im: Any, data: bytes, quality: int, want_variants: bool, suffix: str, widths: tuple[int, ...]) -> Responsive:
    fmt, size = im.format, im.size
    base = ImageResult(data, False, fmt, size, len(data))
    if getattr(im, "n_frames", 1) > 1:
        im.seek(0)
        # Frames are not decoded: an animation is never flattened into a still, nor re-timed.
        return Responsive(replace(base, note=f"animated {fmt} is left as it is"))
    im.load()  # decodes now: a truncated file fails here, before anything is encoded
    icc = im.info.get("icc_profile") or None
    raw_exif = im.info.get("exif")
    orientation = _orientation(raw_exif) if isinstance(raw_exif, bytes) else 1
    im.info = {k: v for k, v in im.info.items() if k == "transparency"}  # every other bit of metadata: dropped
    if fmt == "JPEG":
        encoded = _jpeg(im, quality, icc, orientation)
    elif fmt in ("PNG", "GIF"):
        encoded = _lossless(im, fmt, icc, orientation)
    else:
        return Responsive(replace(base, note=f"{fmt} is left as it is"))
    display = (size[1], size[0]) if orientation in (5, 6, 7, 8) else size
    if encoded is None:
        result = replace(base, note=f"{fmt} in mode {im.mode} is left as it is")
    elif len(encoded) < KEEP_RATIO * len(data):
        result = replace(base, data=encoded, kept=True)
    else:
        result = replace(base, note=f"re-encoded {len(encoded)} bytes is not under 95 % of {len(data)}")
    if not want_variants or encoded is None:
        return Responsive(result, display=display)
    variants = {} if im.width * im.height > _VARIANT_MAX_PIXELS else _variants(im, fmt, quality, len(result.data), icc, orientation)
    scaled = _widths(im, fmt, suffix, quality, icc, orientation, widths, len(result.data), variants) if widths and fmt in ("JPEG", "PNG") else {}
    return Responsive(result, variants, scaled, display)
