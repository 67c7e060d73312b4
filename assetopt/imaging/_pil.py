"""What the size reader and the encoders share about Pillow: the formats we open and EXIF orientation.

Pillow is imported inside each function, never at module level, so ``import assetopt`` (and reading
templates) never pays for it. This package is the only place in assetopt that imports Pillow
(``design.md``); nothing here reads or writes a file.
"""

from __future__ import annotations

import struct
from typing import Any

# Formats a browser shows in <img>; anything else (PSD, EPS, FITS ...) is not an image for us, and
# never reaching those plugins keeps their parsers away from files that only claim an extension.
_WEB_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "AVIF", "BMP", "ICO")
_ORIENTATION = 0x0112  # EXIF tag; 5-8 rotate by 90 degrees, so the displayed width is the stored height


def _web_formats() -> list[str]:
    """The formats ``Image.open`` may try: ``_WEB_FORMATS`` that this Pillow has (AVIF only when built in)."""
    from PIL import Image

    Image.init()
    return [f for f in _WEB_FORMATS if f in Image.OPEN]


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


def _orientation_exif(value: int) -> bytes | None:
    """A minimal EXIF block holding only the orientation (None when it is 1 or not a valid value)."""
    from PIL import Image

    if value not in range(2, 9):
        return None
    exif = Image.Exif()
    exif[_ORIENTATION] = value
    return bytes(exif.tobytes())


def _shown(im: Any, orientation: int) -> Any:
    """Pixels turned as they display: not every browser reads EXIF in WebP/AVIF, and a srcset's
    ``w`` descriptors are displayed widths."""
    turns = _transposes()
    return im.transpose(turns[orientation]) if orientation in turns else im


def _transposes() -> dict[int, Any]:
    from PIL import Image

    T = Image.Transpose
    return {2: T.FLIP_LEFT_RIGHT, 3: T.ROTATE_180, 4: T.FLIP_TOP_BOTTOM, 5: T.TRANSPOSE, 6: T.ROTATE_270, 7: T.TRANSVERSE, 8: T.ROTATE_90}
