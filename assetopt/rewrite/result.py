"""What ``assetopt rewrite`` plans: one ``FileChange`` per template it would change, in a ``RewriteResult``. Values, no work."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..io.project import Problem
from .edits import Edit, Skip

__all__ = ["FileChange", "RewriteResult"]


@dataclass
class FileChange:
    name: str
    path: Path
    before: str
    after: str
    edits: tuple[Edit, ...]
    compile_error: str | None = None  # a NEW failure the rewrite would introduce


@dataclass
class RewriteResult:
    changes: list[FileChange] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    generated: dict[str, str] = field(default_factory=dict)  # logical static path -> text ("styles": assetopt/inline.css)

    @property
    def broken(self) -> list[FileChange]:
        return [c for c in self.changes if c.compile_error is not None]
