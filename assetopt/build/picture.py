"""The ``<picture>`` markup for one rendered ``<img>``, from the build manifest's image entry.

Pure: the rendered ``<img>`` (text and its scanned tag), the image's ``ManifestImage`` and a function
that turns an output name into a URL (Django's ``static()``, so hashed names work) in, markup out.
The ``{% picture %}`` tag is the Django edge around it.

What it prints, for ``img/photo.jpg`` with WebP/AVIF variants and width copies::

    <picture><source type="image/avif" srcset="/static/img/photo.480w.avif 480w, ..., /static/img/photo.avif 1600w" sizes="...">
    <source type="image/webp" ...><img src="/static/img/photo.jpg" alt="..." ... srcset="... 480w, ... 1600w" sizes="..."></picture>

- a ``<source>`` is listed only when its format has a candidate at every width the ``<img>`` offers.
  A browser takes the first ``<source>`` whose type it supports and picks only within it, so a
  format with a gap would make it fetch a wider (heavier) file than the ``<img>`` would give it, or
  a blurrier one. The build makes WebP/AVIF copies at every width for a format whose full-size file
  beat the source's, so a gap is rare (a narrower copy that was not smaller);
- ``sizes``: the ``<img>``'s own when it has one; else from its ``width`` attribute in pixels
  (``(max-width: Wpx) 100vw, Wpx``: as wide as the viewport up to its width); else the same with
  the intrinsic width. Never smaller than the picture can be shown, so a browser never picks a
  candidate that is too small; at worst one a little bigger than needed;
- an ``<img>`` that already has ``srcset`` is the author's choice: None (print it unchanged);
- every attribute of the ``<img>`` is kept byte for byte; ``srcset``/``sizes`` are appended.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from ..templates.tags import StartTag
from .manifest import ManifestCandidate, ManifestImage

__all__ = ["picture_markup", "default_sizes", "MODERN_TYPES"]

MODERN_TYPES = ("image/avif", "image/webp")  # most compact first: a browser takes the first it supports
_PLAIN_INT_RE = re.compile(r"\s*([0-9]+)\s*")


def default_sizes(tag: StartTag, image: ManifestImage) -> str:
    """``sizes`` when nothing better is known: the viewport's width up to the displayed width."""
    own = tag.get("sizes")
    if own:
        return own
    width = tag.get("width")
    m = _PLAIN_INT_RE.fullmatch(width or "")
    shown = int(m.group(1)) if m and int(m.group(1)) > 0 else image.width
    return f"(max-width: {shown}px) 100vw, {shown}px"


def _srcset(candidates: tuple[ManifestCandidate, ...], url: Callable[[str], str]) -> str:
    return ", ".join(f"{url(c.name)} {c.width}w" for c in sorted(candidates, key=lambda c: (c.width, c.name)))


def picture_markup(img_html: str, tag: StartTag, image: ManifestImage, url: Callable[[str], str], fallback_type: str) -> str | None:
    """``img_html`` (rendered markup holding one ``<img>``, ``tag``) with that tag wrapped in ``<picture>``, or None
    when there is nothing to add. ``url`` may raise (a name the storage does not know): the caller
    prints the ``<img>`` unchanged then."""
    if tag.attr("srcset") is not None:
        return None
    own = image.candidates.get(fallback_type, ())
    widths = {c.width for c in own}
    sources = [
        (t, image.candidates[t]) for t in MODERN_TYPES if t != fallback_type and own and widths <= {c.width for c in image.candidates.get(t, ())}
    ]
    if not sources and len(own) <= 1:
        return None
    sizes = escape(default_sizes(tag, image), quote=True) if tag.get("sizes") is None else None
    shown_sizes = sizes if sizes is not None else (tag.get("sizes") or "")  # the img's own: already HTML text
    parts = ["<picture>"]
    for mime, candidates in sources:
        parts.append(f'<source type="{mime}" srcset="{escape(_srcset(candidates, url), quote=True)}" sizes="{shown_sizes}">')
    img = img_html[tag.start : tag.end]
    if len(own) > 1:
        at = (tag.attrs[-1].end if tag.attrs else tag.start + 1 + len(tag.name)) - tag.start
        extra = f' srcset="{escape(_srcset(own, url), quote=True)}"' + (f' sizes="{sizes}"' if sizes is not None else "")
        img = img[:at] + extra + img[at:]
    parts.append(img)
    parts.append("</picture>")
    return img_html[: tag.start] + "".join(parts) + img_html[tag.end :]
