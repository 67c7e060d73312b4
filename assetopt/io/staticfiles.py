"""Find logical static paths in the configured static dirs, the way Django's finders do, safely.

A path never leaves its static dir: ``..`` segments, absolute paths and symlinks that resolve outside
the dir are refused before anything is read.
"""

from __future__ import annotations

import enum
import posixpath
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Lookup", "Found", "StaticFiles"]


class Lookup(enum.Enum):
    FOUND = "found"
    MISSING = "missing"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True)
class Found:
    status: Lookup
    file: Path | None = None


class StaticFiles:
    def __init__(self, dirs: tuple[Path, ...]) -> None:
        self.dirs = tuple(d.resolve() for d in dirs)
        self._memo: dict[str, Found] = {}

    def find(self, logical: str) -> Found:
        """Locate ``logical`` (``css/a.css``) in the first static dir that has it."""
        hit = self._memo.get(logical)
        if hit is None:
            hit = self._memo[logical] = self._find(logical)
        return hit

    def _find(self, logical: str) -> Found:
        norm = posixpath.normpath(logical)
        if logical.startswith("/") or norm.startswith("..") or "\x00" in logical or "\\" in logical:
            return Found(Lookup.UNSAFE)
        unsafe = False
        for root in self.dirs:
            candidate = root / norm
            if not (candidate.exists() or candidate.is_symlink()):
                continue
            real = candidate.resolve()
            if not real.is_relative_to(root):
                unsafe = True  # a symlink pointing outside its static dir: never read
                continue
            if real.is_file():
                return Found(Lookup.FOUND, real)
        return Found(Lookup.UNSAFE if unsafe else Lookup.MISSING)
