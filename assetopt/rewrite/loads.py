"""Make sure a template loads the tag libraries its new tags need.

``{% load assetopt %}`` goes into the first existing ``{% load %}`` before the first new tag when
there is one (merged, not duplicated), else right after ``{% extends %}`` (which must stay first), else at the very top (after a
BOM). Pure: a ``Template`` in, edits out.
"""

from __future__ import annotations

from ..templates.lexer import Region, TokenKind
from ..templates.model import Template
from .edits import Edit

__all__ = ["load_edits"]


def load_edits(template: Template, libraries: tuple[str, ...], before: int | None = None) -> list[Edit]:
    """Edits loading ``libraries`` for tags inserted at ``before`` and later (default: anywhere).
    Django reads ``{% load %}`` in order: only a load before the first new tag counts, and the
    merge target is the first load before it."""
    limit = len(template.source) if before is None else before
    tokens = [t for t in template.tokens if t.kind is TokenKind.BLOCK and t.region is Region.NORMAL]
    loaded: set[str] = set()
    target = None
    for tok in tokens:
        bits = tok.contents.split()
        if tok.start >= limit or bits[:1] != ["load"] or "from" in bits:
            continue
        loaded.update(bits[1:])
        target = target or tok
    missing = [lib for lib in libraries if lib not in loaded]
    if not missing:
        return []
    if target is not None:
        # insert before the closing "%}" (keep the author's spacing inside the tag)
        close = template.source.rfind("%}", target.start, target.end)
        inner_end = close
        while inner_end > target.start and template.source[inner_end - 1] in " \t":
            inner_end -= 1
        text = "".join(" " + lib for lib in missing)
        return [Edit(inner_end, inner_end, text, "load", target.lineno, f"load {' '.join(missing)}")]
    text = "{% load " + " ".join(missing) + " %}"
    if template.extends is not None:
        ext = next(t for t in tokens if t.tag_name == "extends")
        return [Edit(ext.end, ext.end, text, "load", ext.lineno, f"load {' '.join(missing)}")]
    at = 1 if template.source.startswith("\ufeff") else 0
    newline = "\r\n" if "\r\n" in template.source else "\n"
    return [Edit(at, at, text + newline, "load", 1, f"load {' '.join(missing)}")]
