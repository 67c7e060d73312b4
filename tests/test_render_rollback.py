"""The render checks (`verify --cache`, `optimize`'s leak check, `--browser` snapshots) look at a
project; they must not change its database. They log users in with the project's settings: before,
every run added session rows and rewrote each user's last_login in the project's own database
(the example's db.sqlite3 showed up modified in `git status` after `assetopt optimize`)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from assetopt.config import Config
from assetopt.verify.cache_check import check_cache

REPO = Path(__file__).resolve().parent.parent
SHOP = Path(__file__).resolve().parent / "data" / "cache_shop"


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in ("auth_user", "django_session")}


def _shop(tmp_path: Path, monkeypatch) -> tuple[Path, Path, dict[str, list[tuple[object, ...]]]]:
    """A copy of the test shop with its own database (migrated, alice and bob created), and its rows."""
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    db = root / "db.sqlite3"
    monkeypatch.setenv("SHOP_DB", str(db))
    monkeypatch.setenv("SHOP_TEMPLATES", str(root / "templates"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(REPO)])}
    made = subprocess.run([sys.executable, str(root / "drive.py")], input=json.dumps([]), capture_output=True, text=True, env=env, timeout=120)
    assert made.returncode == 0, made.stderr[-2000:]
    before = _rows(db)
    assert {row[4] for row in before["auth_user"]} == {"alice", "bob"}  # username column: the table read is the real one
    return root, db, before


def test_the_leak_check_renders_as_users_and_leaves_the_projects_database_as_it_was(tmp_path: Path, monkeypatch) -> None:
    root, db, before = _shop(tmp_path, monkeypatch)

    check, _ = check_cache(
        Config(project=root, templates=(root / "templates",), users=("alice", "bob")), "shop_settings", root, ("alice", "bob"), ("home",)
    )

    assert check.renders, "nothing was rendered: the check proves nothing"
    assert _rows(db) == before  # no session row, no last_login written


def test_a_page_rendered_logged_in_for_the_browser_leaves_the_projects_database_as_it_was(tmp_path: Path, monkeypatch) -> None:
    from assetopt.browser.snapshots import render_django_pages

    root, db, before = _shop(tmp_path, monkeypatch)

    pages = render_django_pages("shop_settings", root, ["/orders/"], user="alice", keep_storages=True)

    assert "olives for Alice" in pages["/orders/"]["html"]  # rendered as alice: the login worked
    assert _rows(db) == before
