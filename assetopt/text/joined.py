"""The values joining takes and gives: a ``Source`` file in, ``Chunk``s (one per output file) and
warnings out. Shared by ``css_join`` and ``js_join``."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BundleWarning

__all__ = ["Source", "Chunk", "Joined", "BOM"]

BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Source:
    path: str  # logical static path, posix, e.g. "vendor/bootstrap/css/bootstrap.css"
    text: str


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str  # final text of one output file
    sources: tuple[str, ...]  # logical paths joined into it, in order


@dataclass(frozen=True, slots=True)
class Joined:
    chunks: tuple[Chunk, ...]
    warnings: tuple[BundleWarning, ...]
