"""``assetopt verify --cache``, ``manage.py assetopt verify --cache`` and ``optimize`` leaving out a leaking
cache rule: exit codes and the evidence printed, on the example ERP (users demo and clerk)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assetopt.cli import cli

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not (REPO / "example" / "db.sqlite3").is_file(), reason="run `python example/prepare.py` first")


def run(*args: str, cwd: Path = REPO):
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_verify_cache_passes_the_examples_rules() -> None:
    result = run("verify", "--cache", "--url", "core:dashboard")
    assert result.exit_code == 0, result.output
    assert "proven: dashboard_charts, navbar_notifications (same key, same output for demo, clerk and anonymous" in result.output
    assert "cache check passed" in result.output


def test_verify_cache_with_one_user_says_the_proof_could_not_be_made() -> None:
    result = run("verify", "--cache", "--url", "core:dashboard", "--user", "demo")
    assert result.exit_code == 1
    assert "not proven: {% cache %} navbar_notifications: seen by 1 signed-in user(s): give at least two users" in result.output
    assert "cache check failed: 0 leak(s), 2 fragment(s) not proven" in result.output


def test_verify_needs_a_baseline_or_cache() -> None:
    result = run("verify")
    assert result.exit_code == 2 and "--baseline FILE is required (or --cache" in result.output


def test_verify_cache_outside_a_django_project_needs_settings(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    result = run("verify", "--cache", "--templates", "t", cwd=tmp_path)
    assert result.exit_code == 2 and "--cache renders the pages with Django: pass --settings MODULE" in result.output


def test_manage_py_verify_cache_uses_the_settings_users_and_rules() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "erp.settings"}
    proc = subprocess.run(
        [sys.executable, str(REPO / "example" / "manage.py"), "assetopt", "verify", "--cache", "--url", "core:dashboard"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "proven: dashboard_charts, navbar_notifications (same key, same output for demo, clerk and anonymous" in proc.stdout


def test_optimize_leaves_out_a_leaking_rule_with_the_evidence_and_applies_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    templates, static = (REPO / "example" / "templates").as_posix(), (REPO / "static_src").as_posix()
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.assetopt]\ntemplates = ["{templates}"]\nstatic = ["{static}"]\nimages = false\nusers = ["demo", "clerk"]\nurls = ["core:dashboard"]\n'
        '[[tool.assetopt.cache]]\ntemplate = "partials/navbar.html"\nselector = ".navbar-actions .notifications"\ntimeout = 60\nname = "navbar_notifications"\nvary = []\n'
        '[[tool.assetopt.cache]]\ntemplate = "dashboard/admin_dashboard.html"\nselector = "section.chart-area"\ntimeout = 300\nname = "dashboard_charts"\nvary = []\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO / "example"), os.environ.get("PYTHONPATH", "")]))
    result = run("optimize", "--settings", "erp.settings", "--out", "out", cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        "leak: partials/navbar.html:44: {% cache %} navbar_notifications leaks: demo at /en/ and clerk at /en/ get the same key [en] "
        "but different output (" in result.output
    )
    assert "cache rule(s) left out (the leak check did not pass them): navbar_notifications; the rest was applied" in result.output
    out = tmp_path / "out" / "templates"
    assert "{% cache" not in (out / "partials" / "navbar.html").read_text(encoding="utf-8")
    assert "{% cache 300 dashboard_charts LANGUAGE_CODE %}" in (out / "dashboard" / "admin_dashboard.html").read_text(encoding="utf-8")
    assert (REPO / "example" / "templates" / "partials" / "navbar.html").read_text(encoding="utf-8").count("{% cache") == 0
