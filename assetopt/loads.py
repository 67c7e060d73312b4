"""Make sure a template loads the tag libraries its new tags need.

``{% load assetopt %}`` goes into the first existing ``{% load %}`` when there is one (merged, not
duplicated), else right after ``{% extends %}`` (which must stay first), else at the very top (after a
BOM). Pure: a ``Template`` in, edits out.
"""
from __future__ import annotations

from .edits import Edit
from .lexer import Region, TokenKind
from .templates import Template

__all__ = ["load_edits"]


def load_edits(template: Template, libraries: tuple[str, ...]) -> list[Edit]:
    missing = [lib for lib in libraries if lib not in template.loads]
    if not missing:
        return []
    tokens = [t for t in template.tokens if t.kind is TokenKind.BLOCK and t.region is Region.NORMAL]
    for tok in tokens:
        bits = tok.contents.split()
        if bits[:1] == ["load"] and "from" not in bits:
            # insert before the closing "%}" (keep the author's spacing inside the tag)
            close = template.source.rfind("%}", tok.start, tok.end)
            inner_end = close
            while inner_end > tok.start and template.source[inner_end - 1] in " \t":
                inner_end -= 1
            text = "".join(" " + lib for lib in missing)
            return [Edit(inner_end, inner_end, text, "load", tok.lineno, f"load {' '.join(missing)}")]
    text = "{% load " + " ".join(missing) + " %}"
    if template.extends is not None:
        ext = next(t for t in tokens if t.tag_name == "extends")
        return [Edit(ext.end, ext.end, text, "load", ext.lineno, f"load {' '.join(missing)}")]
    at = 1 if template.source.startswith("\ufeff") else 0
    newline = "\r\n" if "\r\n" in template.source else "\n"
    return [Edit(at, at, text + newline, "load", 1, f"load {' '.join(missing)}")]
