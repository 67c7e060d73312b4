"""Width copies an image's ``sizes`` asks for, beyond the configured ``image_widths``.

``image_widths`` (default 480, 960, 1440) suits photos shown large; a 96 px avatar on a phone at DPR
2 needs 192 px and would get the 480 px copy. Every ``<img>`` inside a ``{% picture %}`` whose
``src`` is a literal ``{% static %}`` path and which has a ``sizes`` (the one the layout pass measured,
``rewrite/layout_facts.py``, or the author's) asks for one copy per Lighthouse screen
(``screens.SCREENS``): its slot at that viewport times the screen's DPR, rounded up to 16 px.
A width is not asked for when a configured width already covers it within 10 % (it would save little)
and the image step makes no copy at or above the image's own width.

The widths are read from the templates, as the bundle blocks are, never from a browser run: the
build ``optimize`` runs and ``collectstatic`` in production (which has no browser) make the same
copies from the same rewritten templates. Each image's cache key holds its widths, so an image whose
``sizes`` did not change is not decoded again.
"""

from __future__ import annotations

import math
import re

from ..errors import TemplateError
from ..io.project import Project
from ..screens import SCREENS
from ..templates.assets import ref_of
from ..templates.model import block_spans
from ..templates.refs import RefKind
from ..templates.tags import StartTag

__all__ = ["slot_at", "candidate_widths", "picture_widths"]

_PICTURE_RE = re.compile(rb"{%-?\s*picture\s*-?%}")
_CONDITION_RE = re.compile(r"\(\s*(max|min)-width\s*:\s*([0-9]+(?:\.[0-9]+)?)px\s*\)\s*", re.IGNORECASE)
_VALUE_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)(px|vw)", re.IGNORECASE)
_RASTER = (".jpg", ".jpeg", ".png", ".gif")
_STEP = 16  # px: near-identical slots share one copy
_COVERED = 1.10  # a configured width at most 10 % wider than the need covers it


def _entries(sizes: str) -> list[str]:
    """``sizes`` split at its top-level commas (a ``calc(a, b)`` stays one entry)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(sizes):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(sizes[start:i])
            start = i + 1
    parts.append(sizes[start:])
    return [p.strip() for p in parts]


def slot_at(sizes: str, viewport: int) -> float | None:
    """The slot (CSS px) ``sizes`` gives at a viewport ``viewport`` px wide, as a browser reads it (the
    first entry whose condition holds); None when an entry it reaches is not one this reads (a
    ``(max-width|min-width: Npx)`` condition, or none, and an ``Npx``/``Nvw`` value)."""
    for entry in _entries(sizes):
        m = _CONDITION_RE.match(entry)
        rest = entry[m.end() :] if m else entry
        value = _VALUE_RE.fullmatch(rest)
        if value is None:
            return None
        if m is not None:
            edge = float(m.group(2))
            holds = viewport <= edge if m.group(1).lower() == "max" else viewport >= edge
            if not holds:
                continue
        number = float(value.group(1))
        return number if value.group(2).lower() == "px" else number * viewport / 100
    return None


def candidate_widths(sizes: str, configured: tuple[int, ...]) -> tuple[int, ...]:
    """The copies ``sizes`` asks for at the screens, not covered by a ``configured`` width (sorted)."""
    out = set()
    for screen in SCREENS:
        slot = slot_at(sizes, screen.width)
        if slot is None or slot <= 0:
            continue
        need = _STEP * math.ceil(slot * screen.dpr / _STEP - 1e-9)
        if not any(need <= w <= need * _COVERED for w in configured):
            out.add(need)
    return tuple(sorted(out))


def picture_widths(project: Project) -> dict[str, tuple[int, ...]]:
    """Logical static path -> the extra widths the ``sizes`` of its ``{% picture %}`` ``<img>`` tags ask
    for (over every template; an image shown in several places gets each one's). Only templates that
    hold a ``{% picture %}`` are parsed; one that cannot be read asks for nothing (the audit and the
    rewrite report it)."""
    configured = project.config.image_widths
    found: dict[str, set[int]] = {}
    for name in project.all_template_names():
        path = project.find_template(name)
        try:
            if path is None or _PICTURE_RE.search(path.read_bytes()) is None:
                continue
            template = project.load(name)
        except (OSError, TemplateError):
            continue
        spans = block_spans(template, ("picture",))
        for item in template.items:
            if not isinstance(item, StartTag) or item.name != "img" or not any(a < item.start < b for a, b in spans):
                continue
            sizes = item.get("sizes")
            ref = ref_of(item, template, "src", project.config.static_url)
            if not sizes or ref.kind is not RefKind.STATIC:
                continue
            widths = candidate_widths(sizes, configured)
            for logical in ref.paths:
                if widths and logical.lower().endswith(_RASTER):
                    found.setdefault(logical, set()).update(widths)
    return {k: tuple(sorted(v)) for k, v in sorted(found.items())}
