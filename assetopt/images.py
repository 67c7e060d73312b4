"""Everything assetopt does with image files: the public API, and what the build ships for one image
from one decode (the optimized file, its full-size WebP/AVIF variants, its ``srcset`` widths).

Pillow is imported only here and in ``assetopt/imaging/``, the helpers this module fronts (import
them through this module):

- ``imaging.sizes``: displayed ``(width, height)`` of raster files (header and EXIF only, never the
  pixels) and of SVGs (expat, no Pillow, nothing external fetched); unreadable means ``None``.
- ``imaging.encode``: the encoders and their quality numbers (``ENCODER_SETTINGS`` is in the build's
  cache key). ``imaging.resize``: the downscaled ``srcset`` copies. ``imaging.diff``: screenshot
  comparison for verify. ``imaging._pil``: the formats we open and EXIF orientation.

Pure: bytes in, bytes out. The build decides where the bytes go (only ever into its output root), so
nothing here can overwrite a source. Every failure to read an image becomes ``error=...`` on the
result (the original bytes are shipped as they are): a bad file never stops a build. The functions
are module-level and return plain bytes/dataclasses, so the build's process pool can call them.
Pillow is imported inside functions only, so ``import assetopt.images`` never loads it.
"""
from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

from .imaging._pil import _orientation, _web_formats
from .imaging.diff import screenshot_diff
from .imaging.encode import _AVIF_QUALITY_OFFSET as _AVIF_QUALITY_OFFSET
from .imaging.encode import _AVIF_SPEED as _AVIF_SPEED
from .imaging.encode import _WEBP_QUALITY_OFFSET as _WEBP_QUALITY_OFFSET
from .imaging.encode import DEFAULT_QUALITY, ENCODER_SETTINGS, KEEP_RATIO, _jpeg, _lossless, _variants
from .imaging.encode import _matched as _matched
from .imaging.resize import _widths
from .imaging.sizes import image_size, image_sizes, svg_size

# The ``_``-names imported "as" themselves are not public: tests/test_variant_quality.py and
# bench/bench_images.py read them as ``images.<name>`` to check and measure the encoders' settings.
__all__ = [
    "DEFAULT_QUALITY",
    "ENCODER_SETTINGS",
    "KEEP_RATIO",
    "OPTIMIZABLE",
    "VARIANT_SUFFIXES",
    "ImageResult",
    "Responsive",
    "image_size",
    "image_sizes",
    "modern_variants",
    "optimize_image",
    "optimize_responsive",
    "optimize_with_variants",
    "screenshot_diff",
    "svg_size",
]

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


def optimize_image(data: bytes, suffix: str, *, quality: int = DEFAULT_QUALITY) -> ImageResult:
    """Re-encode ``data`` (a file named ``*suffix``) smaller, or say why not; never raises.

    JPEG: progressive, optimized Huffman tables, ``quality``, the source's chroma subsampling; ICC
    profile and EXIF orientation kept, every other EXIF tag, XMP and comment dropped. PNG: zlib 9 with
    ``optimize``, and a palette when the image has at most 256 colours and the palette is checked to
    lose nothing. GIF: a still one re-saved optimized (checked lossless); an animated GIF or APNG is
    left as it is. SVG, WebP, AVIF: left as they are. Kept only when under 95 % of the original.
    """
    return optimize_with_variants(data, suffix, quality=quality, variants=False)[0]


def modern_variants(data: bytes, suffix: str, quality: int = DEFAULT_QUALITY) -> dict[str, bytes]:
    """``{".webp": ..., ".avif": ...}`` for a JPEG/PNG/still GIF, each only when smaller than the
    optimized original (AVIF only when this Pillow has it). Empty for anything else or on error."""
    return optimize_with_variants(data, suffix, quality=quality)[1]


def optimize_with_variants(data: bytes, suffix: str, *, quality: int = DEFAULT_QUALITY, variants: bool = True) -> tuple[ImageResult, dict[str, bytes]]:
    """``optimize_image`` and ``modern_variants`` with one decode."""
    found = optimize_responsive(data, suffix, quality=quality, variants=variants)
    return found.result, found.variants


@dataclass(frozen=True)
class Responsive:
    """Everything the build ships for one image, from one decode (see ``optimize_responsive``)."""

    result: ImageResult
    variants: dict[str, bytes] = field(default_factory=dict)  # full size: {".webp": ..., ".avif": ...}
    # downscaled copies: width -> {suffix: bytes}; the source's own format under its own suffix
    # (".jpg", ".png" ...), the modern formats under ".webp"/".avif"
    widths: dict[int, dict[str, bytes]] = field(default_factory=dict)
    display: tuple[int, int] | None = None  # width, height as shown (EXIF orientation applied)


def optimize_responsive(data: bytes, suffix: str, *, quality: int = DEFAULT_QUALITY, variants: bool = True, widths: tuple[int, ...] = ()) -> Responsive:
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
