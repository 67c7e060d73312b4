"""Everything assetopt does with image files; the only module that imports Pillow (``design.md``).

Sizes for the rewrite: raster images are opened lazily (only the header and the EXIF block are read,
pixels are never decoded, so a huge or hostile file costs nothing); SVG sizes come from the root
element's ``width``/``height`` (px, or one of them with the ``viewBox`` ratio), read with expat with
entity declarations and internal DTD subsets refused and nothing external ever fetched. A file we
cannot read for any reason (missing, not an image, truncated header, a decompression bomb, an unsafe
SVG) has no size: ``None``, never an exception.

Screenshot comparison for verify (at the end): the only function here that writes a file, the diff
image it is asked for. Nothing here ever writes over, moves or changes a source image.
"""
from __future__ import annotations

import io
import math
import re
import struct
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.parsers import expat

__all__ = ["image_size", "image_sizes", "svg_size"]

# Formats a browser shows in <img>; anything else (PSD, EPS, FITS ...) is not an image for us, and
# never reaching those plugins keeps their parsers away from files that only claim an extension.
_WEB_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "AVIF", "BMP", "ICO")
_ORIENTATION = 0x0112  # EXIF tag; 5-8 rotate by 90 degrees, so the displayed width is the stored height
_SVG_NS = "http://www.w3.org/2000/svg"
_SVG_HEAD_LIMIT = 1 << 20  # bytes read looking for the root element; a longer prolog is refused
_LENGTH_RE = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(px)?\s*")


def image_size(path: Path) -> tuple[int, int] | None:
    """``(width, height)`` as a browser displays ``path`` (EXIF orientation applied), or None."""
    if path.suffix.lower() == ".svg":
        return svg_size(path)
    return _raster_size(path)


def image_sizes(files: Mapping[str, Path]) -> dict[str, tuple[int, int]]:
    """Sizes of many files (logical path -> file); files without a readable size are left out."""
    sizes: dict[str, tuple[int, int]] = {}
    for logical, path in files.items():
        size = image_size(path)
        if size is not None:
            sizes[logical] = size
    return sizes


def _raster_size(path: Path) -> tuple[int, int] | None:
    from PIL import Image  # imported here so reading templates never pays for Pillow

    Image.init()
    formats = [f for f in _WEB_FORMATS if f in Image.OPEN]  # AVIF only when Pillow has it
    try:
        # Pillow warns (rather than raises) just above MAX_IMAGE_PIXELS; such a file is refused
        # like a bomb, and other plugin warnings are no concern of a size reader.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=formats) as im:
                width, height = im.size
                raw_exif = im.info.get("exif")
                orientation = _orientation(raw_exif) if isinstance(raw_exif, bytes) else 1
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    if width <= 0 or height <= 0:
        return None
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _orientation(raw: bytes) -> int:
    """The EXIF orientation (1 when absent or unreadable).

    Only EXIF counts: browsers ignore XMP ``tiff:Orientation`` (which Pillow's ``getexif`` falls back
    to), and ``PngImageFile.getexif`` would decode the pixels to look for a late eXIf chunk.
    """
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(raw)
        value = exif.get(_ORIENTATION, 1)
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError, struct.error):
        return 1
    return value if isinstance(value, int) else 1


class _Unsafe(Exception):
    """An entity declaration or internal DTD subset: refused before expat expands anything."""


class _Root(Exception):
    """Raised at the root element's start tag to stop reading; carries its name and attributes."""

    def __init__(self, name: str, attrs: dict[str, str]) -> None:
        super().__init__(name)
        self.name = name
        self.attrs = attrs


def svg_size(path: Path) -> tuple[int, int] | None:
    """The size of an SVG from its root ``<svg>``: ``width``/``height`` in px (one of them plus the
    viewBox's ratio will do); None when neither is given.

    A ``<!DOCTYPE svg PUBLIC ...>`` without an internal subset is allowed (editors write it; expat
    never fetches the DTD). Any internal subset or ``<!ENTITY>`` makes the file unreadable: None.
    """
    root = _svg_root(path)
    if root is None:
        return None
    name, attrs = root
    if name not in (f"{_SVG_NS} svg", "svg"):
        return None
    width, height = _px(attrs.get("width")), _px(attrs.get("height"))
    box = _viewbox(attrs.get("viewBox"))
    # Without width and height an SVG has no intrinsic size: the browser sizes it from CSS (or
    # 300x150). Attributes read off the viewBox would *set* a size it never had, so: None.
    if width is not None and height is None and box is not None:
        height = width * box[1] / box[0]
    elif height is not None and width is None and box is not None:
        width = height * box[0] / box[1]
    if width is None or height is None or not (math.isfinite(width) and math.isfinite(height)):
        return None
    w, h = math.floor(width + 0.5), math.floor(height + 0.5)  # half up, like the rewrite's ratios
    return (w, h) if w > 0 and h > 0 else None


def _svg_root(path: Path) -> tuple[str, dict[str, str]] | None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(_name: str, _system: str | None, _public: str | None, has_internal_subset: int) -> None:
        if has_internal_subset:
            raise _Unsafe("internal DTD subset")

    def entity(*_args: object) -> None:
        raise _Unsafe("entity declaration")

    def start(name: str, attrs: dict[str, str]) -> None:
        raise _Root(name, attrs)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = lambda *_args: 0  # type: ignore[assignment]  # never fetch
    parser.StartElementHandler = start
    read = 0
    try:
        with path.open("rb") as f:
            while read < _SVG_HEAD_LIMIT:
                chunk = f.read(64 * 1024)
                read += len(chunk)
                parser.Parse(chunk, not chunk)
                if not chunk:
                    break
    except _Root as root:
        return root.name, root.attrs
    except (_Unsafe, expat.ExpatError, OSError, ValueError):
        return None
    return None


def _px(value: str | None) -> float | None:
    """A length in px ("120", "120px", "120.5"); other units and percentages are unknown: None."""
    if value is None:
        return None
    m = _LENGTH_RE.fullmatch(value)
    if not m:
        return None
    number = float(m.group(1))
    return number if 0 < number < math.inf else None


def _viewbox(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    bits = value.replace(",", " ").split()
    if len(bits) != 4:
        return None
    try:
        width, height = float(bits[2]), float(bits[3])
    except ValueError:
        return None
    if not (0 < width < math.inf and 0 < height < math.inf):
        return None
    return width, height


# --- Screenshot comparison (verify --browser) ------------------------------------------------------
# Here because Pillow lives only in this module. Unlike the size readers above, this section writes
# one file: the diff image at ``out``, which the caller names (never a source image).

__all__ += ["screenshot_diff"]

_DIFF_TOLERANCE = 8  # per channel, 0-255: anti-aliasing and colour rounding, not a visible change


def screenshot_diff(a: Path, b: Path, out: Path, *, tolerance: int = _DIFF_TOLERANCE) -> float:
    """The fraction (0..1) of pixels that differ between two screenshots; saves a diff image to ``out``.

    A pixel differs when any channel differs by more than ``tolerance``. Images of different sizes are
    compared on the canvas of the larger width and height: the area only one image covers counts as
    different, so a page that grew or shrank is never "the same". The diff image shows ``b`` faded to
    grey with changed pixels in red (area outside the overlap in pale red).
    """
    from PIL import Image, ImageChops

    with Image.open(a) as ia, Image.open(b) as ib:
        ra, rb = ia.convert("RGB"), ib.convert("RGB")
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


# --- Optimizing (build) ----------------------------------------------------------------------------
# Pure: bytes in, bytes out. The build decides where the bytes go (only ever into its output root),
# so nothing here can overwrite a source. Every failure to read an image becomes ``error=...`` on the
# result (the original bytes are shipped as they are): a bad file never stops a build.

__all__ += ["ImageResult", "optimize_image", "modern_variants", "optimize_with_variants",
            "OPTIMIZABLE", "VARIANT_SUFFIXES", "KEEP_RATIO", "DEFAULT_QUALITY"]

KEEP_RATIO = 0.95  # whitenoise's rule: a re-encode that saves under 5 % is not worth a lossy generation
DEFAULT_QUALITY = 82  # measured on the example's photos: see bench/RESULTS.md "## Images"
OPTIMIZABLE = frozenset({".jpg", ".jpeg", ".png", ".gif"})
VARIANT_SUFFIXES = (".webp", ".avif")  # in the order a <picture> would list them: least supported last
_AVIF_SPEED = 8  # libavif speed 0-10: 8 is ~3.5x faster than the default 6 and ~3 % bigger
_PALETTE_MAX_PIXELS = 16_000_000  # colour counting and the lossless check are skipped above this
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


__all__ += ["Responsive", "optimize_responsive"]


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
    Image.init()
    formats = [f for f in _WEB_FORMATS if f in Image.OPEN]
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
    scaled = _widths(im, fmt, suffix, quality, icc, orientation, widths, result, variants) if widths and fmt in ("JPEG", "PNG") else {}
    return Responsive(result, variants, scaled, display)


def _widths(im: Any, fmt: str, suffix: str, quality: int, icc: bytes | None, orientation: int, widths: tuple[int, ...],
            result: ImageResult, variants: dict[str, bytes]) -> dict[int, dict[str, bytes]]:
    """Downscaled copies, widest first, each kept under the next bigger kept copy of its format."""
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
    limits = {suffix: len(result.data), **{s: len(b) for s, b in variants.items()}}
    out: dict[int, dict[str, bytes]] = {}
    for width in sorted((w for w in widths if w < full_w), reverse=True):
        height = max(1, (2 * full_h * width + full_w) // (2 * full_w))  # rounded half up, like the rewrite
        small = shown.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        own = _jpeg(small, quality, icc, 1, sampling if sampling >= 0 else 2) if fmt == "JPEG" else _lossless(small, "PNG", icc, 1)
        kept: dict[str, bytes] = {}
        if own is not None and len(own) < limits[suffix]:
            kept[suffix] = own
            limits[suffix] = len(own)
        wanted = set(limits) - {suffix}  # only the formats that have a full-size variant
        for modern, blob in (_modern(small, fmt, quality, icc, wanted) if wanted else {}).items():
            if len(blob) < limits[modern]:
                kept[modern] = blob
                limits[modern] = len(blob)
        if kept:
            out[width] = kept
    return out


def _sampling(im: Any) -> int:
    from PIL import JpegImagePlugin

    return int(JpegImagePlugin.get_sampling(im))


def _shown(im: Any, orientation: int) -> Any:
    """Pixels turned as they display: not every browser reads EXIF in WebP/AVIF, and a srcset's
    ``w`` descriptors are displayed widths."""
    turns = _transposes()
    return im.transpose(turns[orientation]) if orientation in turns else im


def _orientation_exif(value: int) -> bytes | None:
    """A minimal EXIF block holding only the orientation (None when it is 1 or not a valid value)."""
    from PIL import Image

    if value not in range(2, 9):
        return None
    exif = Image.Exif()
    exif[_ORIENTATION] = value
    return bytes(exif.tobytes())


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

    From a JPEG: lossy, WebP and AVIF at qualities matched to the JPEG's (see the offsets below). From a PNG or GIF:
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
__all__ += ["ENCODER_SETTINGS"]


def _transposes() -> dict[int, Any]:
    from PIL import Image

    T = Image.Transpose
    return {2: T.FLIP_LEFT_RIGHT, 3: T.ROTATE_180, 4: T.FLIP_TOP_BOTTOM, 5: T.TRANSPOSE, 6: T.ROTATE_270, 7: T.TRANSVERSE, 8: T.ROTATE_90}
