"""Everything assetopt does with image files: the public API, and what the build ships for one image
from one decode (the optimized file, its full-size WebP/AVIF variants, its ``srcset`` widths).

Pillow is imported only in ``assetopt/imaging/``, the helpers this module fronts (import them through
this module):

- ``imaging.optimize``: one decode of one image (``optimize_responsive``).
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

from .imaging.diff import check_screenshot, screenshot_diff
from .imaging.encode import _AVIF_QUALITY_OFFSET as _AVIF_QUALITY_OFFSET
from .imaging.encode import _AVIF_SPEED as _AVIF_SPEED
from .imaging.encode import _WEBP_METHOD as _WEBP_METHOD
from .imaging.encode import _WEBP_QUALITY_OFFSET as _WEBP_QUALITY_OFFSET
from .imaging.encode import DEFAULT_QUALITY, ENCODER_SETTINGS, KEEP_RATIO
from .imaging.encode import _matched as _matched
from .imaging.optimize import OPTIMIZABLE, VARIANT_SUFFIXES, ImageResult, Responsive, optimize_responsive
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
    "check_screenshot",
    "svg_size",
]


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
    """``{".avif": ...}`` for a JPEG (``{".webp": ...}`` when this Pillow has no AVIF), ``{".webp": ...}``
    (lossless) for a PNG/still GIF, only when smaller than the optimized original. Empty for anything
    else or on error."""
    return optimize_with_variants(data, suffix, quality=quality)[1]


def optimize_with_variants(
    data: bytes, suffix: str, *, quality: int = DEFAULT_QUALITY, variants: bool = True
) -> tuple[ImageResult, dict[str, bytes]]:
    """``optimize_image`` and ``modern_variants`` with one decode."""
    found = optimize_responsive(data, suffix, quality=quality, variants=variants)
    return found.result, found.variants
