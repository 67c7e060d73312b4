from __future__ import annotations

from pathlib import Path

import pytest

from assetopt.config import load_config
from assetopt.io.project import Project

REPO = Path(__file__).resolve().parent.parent


# Modules whose tests each start a Django project or several child processes (seconds apiece): the
# fast tier (-m "not browser and not slow") leaves them out; CI runs them.
SLOW_MODULES = frozenset({
    "test_cache_leaks.py", "test_cache_cli.py", "test_django_boundary.py", "test_deploy_doc.py", "test_build_concurrency.py",
    "test_rewrite_tag_clash.py", "test_django_command_args.py", "test_django_command.py", "test_snapshots.py", "test_rewrite_settings.py",
    "test_verify_cache_settings.py", "test_django_manifest_path.py", "test_django_third_party.py", "test_django_static_location.py",
    "test_django_i18n_site.py", "test_render_rollback.py",
})  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``@pytest.mark.browser("chromium"|"example")`` (``browser_support.needs_*``): skip, naming what
    is missing and how to get it, when this machine cannot run the test."""
    for mark in item.iter_markers("browser"):
        from browser_support import missing_for

        missing = missing_for(mark.args[0] if mark.args else "chromium")
        if missing:
            pytest.skip("needs " + " and ".join(missing))


def _write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


@pytest.fixture
def make_project(tmp_path: Path):
    """A project in a temp dir: ``make_project(templates={...}, static={...})`` -> Project."""

    def make(templates: dict[str, str | bytes] | None = None, static: dict[str, str | bytes] | None = None, **config: object) -> Project:
        tdir = _write_tree(tmp_path / "templates", templates or {})
        sdir = _write_tree(tmp_path / "static", static or {})
        tdir.mkdir(exist_ok=True)
        sdir.mkdir(exist_ok=True)
        cfg = load_config(tmp_path, {"templates": (str(tdir),), "static": (str(sdir),), **config}, cwd=tmp_path)
        return Project(cfg)

    return make


@pytest.fixture
def write_tree():
    """``write_tree(root, {"a/b.html": "text"})`` writes real files (str as UTF-8, bytes as is)."""
    return _write_tree


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The cache dir with the seven third-party corpora unpacked (fetched once); skips, saying why, when
    they cannot be had (offline)."""
    from corpora_support import corpora_root

    root, why = corpora_root()
    if root is None:
        pytest.skip(why)
    return root
