"""A one-page Django site on disk for the tests that run collectstatic and request the page."""

from __future__ import annotations

from pathlib import Path


def write_page_site(root: Path, page: str, static: dict[str, bytes]) -> tuple[Path, Path]:
    """``root/templates/page.html`` holding ``page`` and ``root/static`` holding ``static``; (templates, static)."""
    templates, static_dir = root / "templates", root / "static"
    templates.mkdir()
    (templates / "page.html").write_text(page)
    for name, data in static.items():
        (static_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (static_dir / name).write_bytes(data)
    static_dir.mkdir(exist_ok=True)
    return templates, static_dir
