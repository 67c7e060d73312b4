"""Edits are splices into the original template text: ``Edit(start, end, text)``.

Templates are never re-serialized (``design.md`` decision 1): a rewrite is the original string with
some spans replaced, so nothing outside an edit changes by a byte. Pure.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import EditConflict

__all__ = ["Edit", "Skip", "TransformResult", "EditConflict", "apply_edits", "unified_diff", "KINDS"]

KINDS = ("bundles", "images", "cache", "styles")


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    end: int  # == start for an insertion
    text: str
    kind: str  # one of KINDS, or "load" for {% load %} changes
    lineno: int
    reason: str  # one line, shown in the summary


@dataclass(frozen=True, slots=True)
class Skip:
    """Something a transform could have changed and did not, with the reason (never silent)."""

    kind: str
    path: str
    lineno: int
    reason: str


@dataclass(frozen=True)
class TransformResult:
    edits: tuple[Edit, ...] = ()
    skips: tuple[Skip, ...] = ()
    loads: tuple[str, ...] = field(default=())  # template tag libraries the edits need ({% load x %})


def apply_edits(source: str, edits: Iterable[Edit], path: str = "") -> str:
    """``source`` with every edit spliced in. Insertions at one offset keep their given order.

    Raises ``EditConflict`` when two edits overlap (an insertion inside a replaced span included).
    """
    ordered = sorted(enumerate(edits), key=lambda ie: (ie[1].start, ie[1].end, ie[0]))
    out: list[str] = []
    pos = 0
    prev: Edit | None = None
    for _, e in ordered:
        if e.start < pos or e.end < e.start or e.end > len(source):
            other = f" and line {prev.lineno} ({prev.reason})" if prev else ""
            raise EditConflict(f"overlapping edits: {e.reason}{other}", path=path, lineno=e.lineno)
        out.append(source[pos : e.start])
        out.append(e.text)
        pos = e.end
        prev = e
    out.append(source[pos:])
    return "".join(out)


def unified_diff(path: str, before: str | None, after: str, context: int = 3) -> str:
    """A unified diff of two versions of one file ("a/PATH", "b/PATH"), line endings kept. ``before``
    None: the file is new ("/dev/null"), so ``patch -R`` deletes it rather than leave it empty."""
    old = "/dev/null" if before is None else f"a/{path}"
    lines = difflib.unified_diff((before or "").splitlines(keepends=True), after.splitlines(keepends=True), old, f"b/{path}", n=context)
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def merge(results: Sequence[TransformResult]) -> TransformResult:
    return TransformResult(
        edits=tuple(e for r in results for e in r.edits),
        skips=tuple(s for r in results for s in r.skips),
        loads=tuple(dict.fromkeys(lib for r in results for lib in r.loads)),
    )
