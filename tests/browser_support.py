"""What the tests that drive Chromium share: the skip markers, and a copy of the example site.

One definition, so every browser test skips for the same reasons and the skip says which thing is
missing and how to get it: playwright, Debian's Chromium at ``assetopt.browser.CHROMIUM`` (never a
``playwright install`` download), or the example's generated files (vendor libraries and photos,
made by ``python example/prepare.py``).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from assetopt.browser.chromium import CHROMIUM

__all__ = ["DASHBOARD", "HAS_PLAYWRIGHT", "REPO", "copy_example", "missing_for", "needs_browser", "needs_chromium"]

REPO = Path(__file__).resolve().parent.parent
DASHBOARD = "dashboard/admin_dashboard.html"  # the example's first page: every browser run of the example measures it

HAS_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
_NO_CHROMIUM = ([] if HAS_PLAYWRIGHT else ["playwright (pip install playwright)"]) + (
    [] if Path(CHROMIUM).exists() else [f"{CHROMIUM} (apt-get install chromium)"]
)
_NO_EXAMPLE_FILES = [
    f"static_src/{folder}/ (run `python example/prepare.py`)" for folder in ("vendor", "img/gen") if not (REPO / "static_src" / folder).is_dir()
]

# The marks carry what the test needs; tests/conftest.py skips them with the reason when it is missing,
# and `-m "not browser"` leaves them out of the fast tier.
needs_chromium = pytest.mark.browser("chromium")
"""For tests that make their own pages: playwright and Chromium."""

needs_browser = pytest.mark.browser("example")
"""For tests that render the example site in Chromium: also the files example/prepare.py makes."""


def missing_for(need: str) -> list[str]:
    """What a ``browser(need)`` test lacks on this machine (empty: it can run)."""
    return _NO_CHROMIUM + (_NO_EXAMPLE_FILES if need == "example" else [])


def copy_example(root: Path) -> Path:
    """The example site (example/, static_src/, pyproject.toml) copied into ``root``, so a test can
    rewrite, build and break it with the repository untouched. The repository's .assetopt-cache comes
    along when there is one: it is content-addressed, so it only saves the cold minify/compress (~20 s)."""
    shutil.copytree(REPO / "example", root / "example")
    shutil.copytree(REPO / "static_src", root / "static_src")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    if (REPO / ".assetopt-cache").is_dir():
        shutil.copytree(REPO / ".assetopt-cache", root / ".assetopt-cache")
    return root
