"""Day two of `rewrite --out` and `optimize`: the copy follows the template dirs when templates are
deleted or renamed. Before, the copy kept the old files: `optimize` then failed on every later run
(`fail: hr/payroll.html: not in the baseline (a new page? ...)` for a page that was deleted) and the
copy held templates the project no longer has."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assetopt.cli import cli

HEAD = "<link rel='stylesheet' href='/static/a.css'><link rel='stylesheet' href='/static/b.css'>"
PAGE = f"<!DOCTYPE html><html><head>{HEAD}</head><body><p>{{}}</p></body></html>\n"


@pytest.fixture
def site(tmp_path: Path, write_tree, monkeypatch) -> Path:
    pages = {
        "templates/shop/cart.html": PAGE.format("cart"),
        "templates/shop/old.html": PAGE.format("old"),
        "templates/gone/only.html": PAGE.format("x"),
    }
    write_tree(tmp_path, {**pages, "templates/index.html": PAGE.format("index"), "static/a.css": "a{}", "static/b.css": "b{}"})
    monkeypatch.chdir(tmp_path)
    return tmp_path


ARGS = ["--templates", "templates", "--static", "static", "--out", "build"]


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_rewrite_out_again_drops_the_copies_of_deleted_and_renamed_templates_and_nothing_else(site: Path) -> None:
    assert CliRunner().invoke(cli, ["rewrite", *ARGS, "--only", "bundles"]).exit_code == 0
    assert _files(site / "build/templates") == ["gone/only.html", "index.html", "shop/cart.html", "shop/old.html"]
    (site / "templates/shop/old.html").rename(site / "templates/shop/new.html")
    (site / "templates/gone/only.html").unlink()
    (site / "templates/gone").rmdir()
    (site / "build/templates/notes.txt").write_text("mine")  # not assetopt's: never touched

    again = CliRunner().invoke(cli, ["rewrite", *ARGS, "--only", "bundles"])

    assert again.exit_code == 0, again.output
    assert _files(site / "build/templates") == ["index.html", "notes.txt", "shop/cart.html", "shop/new.html"]
    assert not (site / "build/templates/gone").exists()  # its folder too, left empty


def test_optimize_after_a_template_was_deleted_compares_only_the_pages_that_exist(site: Path) -> None:
    first = CliRunner().invoke(cli, ["optimize", *ARGS])
    assert first.exit_code == 0, first.output
    (site / "templates/shop/old.html").unlink()

    again = CliRunner().invoke(cli, ["optimize", *ARGS])

    assert again.exit_code == 0, again.output
    assert "shop/old.html" not in again.output and "not in the baseline" not in again.output
    assert "| shop/cart.html | 2 → 1 |" in again.output


def test_optimize_says_when_a_run_changed_nothing_and_not_after_a_template_was_deleted(site: Path) -> None:
    assert CliRunner().invoke(cli, ["optimize", *ARGS]).exit_code == 0

    same = CliRunner().invoke(cli, ["optimize", *ARGS])
    assert same.exit_code == 0, same.output
    assert "nothing changed since the last run: no file written" in same.output

    (site / "templates/shop/old.html").unlink()
    changed = CliRunner().invoke(cli, ["optimize", *ARGS])
    assert changed.exit_code == 0, changed.output
    assert "nothing changed" not in changed.output
