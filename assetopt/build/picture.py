"""The ``<picture>`` markup for one rendered ``<img>``, from the build manifest's image entry.

Pure: the rendered ``<img>`` (text and its scanned tag), the image's ``ManifestImage`` and a function
that turns an output name into a URL (Django's ``static()``, so hashed names work) in, markup out.
The ``{% picture %}`` tag is the Django edge around it.

What it prints, for ``img/photo.jpg`` with WebP/AVIF variants and width copies::

    <picture><source type="image/avif" srcset="/static/img/photo.480w.avif 480w, ..., /static/img/photo.avif 1600w" sizes="...">
    <source type="image/webp" ...><img src="/static/img/photo.jpg" alt="..." ... srcset="... 480w, ... 1600w" sizes="..."></picture>

- each ``<source>`` offers, at every width any format has, the smallest file a browser of that type
  can show: its own format's, or a more widely supported one's (AVIF's browsers show WebP and the
  fallback; WebP's the fallback). The build keeps a narrower WebP/AVIF copy only when it beats the
  source's copy of that width, and makes no WebP copies of a JPEG (``imaging/resize.py``), so a
  ``<source type="image/avif">`` may list the JPEG copies for its narrow widths: a browser decodes
  what it fetches whatever the ``type``, which only says who may pick from the list. A browser takes
  the first ``<source>`` whose type it supports and picks only within it, so a list with a gap would
  make it fetch a wider (heavier) file, or a blurrier one; filling the gaps keeps every width. A
  ``<source>`` that would offer exactly what the next choice offers is left out;
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


def _smallest_per_width(lists: list[tuple[ManifestCandidate, ...]]) -> tuple[ManifestCandidate, ...]:
    """At each width any list has, its smallest candidate (the first list's on a tie)."""
    best: dict[int, ManifestCandidate] = {}
    for candidates in lists:
        for c in candidates:
            if c.width not in best or c.bytes < best[c.width].bytes:
                best[c.width] = c
    return tuple(best[w] for w in sorted(best))


def picture_markup(img_html: str, tag: StartTag, image: ManifestImage, url: Callable[[str], str], fallback_type: str) -> str | None:
    """``img_html`` (rendered markup holding one ``<img>``, ``tag``) with that tag wrapped in ``<picture>``, or None
    when there is nothing to add. ``url`` may raise (a name the storage does not know): the caller
    prints the ``<img>`` unchanged then."""
    if tag.attr("srcset") is not None:
        return None
    own = image.candidates.get(fallback_type, ())
    sources: list[tuple[str, tuple[ManifestCandidate, ...]]] = []
    after = own  # what a browser that skips this <source> picks from
    if own:
        for i in reversed(range(len(MODERN_TYPES))):
            mime = MODERN_TYPES[i]
            if mime == fallback_type or not image.candidates.get(mime):
                continue
            offered = _smallest_per_width([image.candidates.get(t, ()) for t in (*MODERN_TYPES[i:], fallback_type)])
            if {c.name for c in offered} != {c.name for c in after}:
                sources.insert(0, (mime, offered))
                after = offered
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
