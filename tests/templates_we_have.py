"""Every template we test invariants on: the installed Django's admin and forms templates and the
example site's (style.md: "Invariants run over every template we have"). Imported by test modules."""

from __future__ import annotations

from pathlib import Path

import django
import pytest

REPO = Path(__file__).resolve().parent.parent
DJANGO_DIR = Path(django.__file__).resolve().parent
DJANGO_ROOTS = (DJANGO_DIR / "contrib" / "admin" / "templates", DJANGO_DIR / "forms" / "templates")
EXAMPLE_ROOT = REPO / "example" / "templates"


def template_files() -> list[tuple[Path, Path, str]]:
    """(template dir, file, id) for every file, the id relative to site-packages or the repository."""
    out = []
    for root, base in [(r, DJANGO_DIR.parent) for r in DJANGO_ROOTS] + [(EXAMPLE_ROOT, REPO)]:
        if root.is_dir():
            out += [(root, p, p.relative_to(base).as_posix()) for p in sorted(root.rglob("*")) if p.is_file()]
    return out


def template_params(with_root: bool = False) -> list[object]:
    """``pytest.param(path)`` (or ``(root, path)``) for every template file, with readable ids."""
    return [pytest.param(*((root, path) if with_root else (path,)), id=ident) for root, path, ident in template_files()]
