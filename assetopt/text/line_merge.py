"""Take one change back out of a text that was edited since: a three-way merge by lines.

``written`` is the text a change produced, ``before`` the text it replaced, ``now`` what the file
holds today. Both ``written -> now`` (the edits made since) and ``written -> before`` (the undo) are
diffed against ``written``; when no edit made since touches a line the undo changes, both apply and
nothing of either is lost. When one does, the merge gives up and says where: guessing there could
drop the user's line or leave half of the change (a ``{% endbundle %}`` without its ``{% bundle %}``).
Pure: text in, text or a conflict out; never reads a file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

__all__ = ["MergeConflict", "undo_keeping_edits"]


@dataclass(frozen=True, slots=True)
class MergeConflict:
    """``lineno``: the line of ``now`` (1-based) where an edit made since meets the change;
    ``written``: the lines the change wrote there (what the undo would take out or replace)."""

    lineno: int
    written: tuple[str, ...]


_Change = tuple[int, int, int, int]  # (i1, i2) in the base, (j1, j2) in the other text


def _changes(base: list[str], other: list[str]) -> list[_Change]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _meet(a1: int, a2: int, b1: int, b2: int) -> bool:
    """Whether two changes of the base, ``[a1, a2)`` and ``[b1, b2)`` (empty: an insertion before
    that line), cannot both apply in one unambiguous order. An insertion at either edge of the
    other's range is fine: it stays next to the unchanged line it was written beside."""
    if a1 == a2 and b1 == b2:
        return a1 == b1  # two insertions at one place: which goes first is a guess
    if a1 == a2:
        return b1 < a1 < b2
    if b1 == b2:
        return a1 < b1 < a2
    return a1 < b2 and b1 < a2


def undo_keeping_edits(written: str, now: str, before: str) -> str | MergeConflict:
    """``now`` with the change ``before -> written`` taken back out, every edit made since kept; or
    the first place where an edit made since meets a line the change wrote. Line endings are kept."""
    base = written.splitlines(keepends=True)
    mine = now.splitlines(keepends=True)
    back = before.splitlines(keepends=True)
    edits, undo = _changes(base, mine), _changes(base, back)
    for i1, i2, j1, _j2 in edits:
        for k1, k2, _l1, _l2 in undo:
            if _meet(i1, i2, k1, k2):
                return MergeConflict(lineno=min(j1 + 1, max(len(mine), 1)), written=tuple(base[k1:k2]))
    # sorted by (start, end): an insertion before a line comes before a change starting at that line
    hunks = sorted([(i1, i2, mine[j1:j2]) for i1, i2, j1, j2 in edits] + [(k1, k2, back[l1:l2]) for k1, k2, l1, l2 in undo])
    out: list[str] = []
    pos = 0
    for start, end, lines in hunks:
        out += base[pos:start]
        out += lines
        pos = end
    out += base[pos:]
    return "".join(out)
