"""Displayed sizes of image files, for the rewrite's ``width``/``height``.

Raster images are opened lazily (only the header and the EXIF block are read, pixels are never
decoded, so a huge or hostile file costs nothing); SVG sizes come from the root element's
``width``/``height`` (px, or one of them with the ``viewBox`` ratio), read with expat (no Pillow) with
entity declarations and internal DTD subsets refused and nothing external ever fetched. A file we
cannot read for any reason (missing, not an image, truncated header, a decompression bomb, an unsafe
SVG) has no size: ``None``, never an exception. Nothing here writes a file.
"""

from __future__ import annotations

import math
import re
import struct
import warnings
from collections.abc import Mapping
from pathlib import Path
from xml.parsers import expat

from ._pil import _orientation, _web_formats

__all__ = ["image_size", "image_sizes", "svg_size"]

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

    formats = _web_formats()
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
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    if width <= 0 or height <= 0:
        return None
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


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
