"""``manage.py assetopt`` on a fresh startproject site: ``--settings`` is Django's option there (applied,
never passed on, never clashing), usage errors and --help name ``manage.py assetopt``, the options the
settings provide are neither listed nor accepted, and --browser renders with the settings in use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser_support import needs_chromium
from startproject_site import Site, make_site


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


def test_settings_is_accepted_as_djangos_own_option(site: Site) -> None:
    for args in (["--settings", "mysite.settings"], ["--settings=mysite.settings"]):
        result = site.manage("assetopt", "rewrite", "--check", *args)
        assert result.returncode == 1, result.stderr  # work pending: the command ran
        assert "No such option" not in result.stderr and "would change" in result.stdout


def test_usage_errors_name_the_manage_py_command(site: Site) -> None:
    result = site.manage("assetopt", "rewrite", "--bogus")
    assert result.returncode == 2
    assert "Try 'manage.py assetopt rewrite --help'" in result.stderr, result.stderr


@pytest.mark.parametrize("command", ["audit", "rewrite", "build", "verify", "optimize"])
def test_help_lists_no_option_the_settings_provide(site: Site, command: str) -> None:
    result = site.manage("assetopt", command, "--help")
    assert result.returncode == 0, result.stderr
    assert f"Usage: manage.py assetopt {command}" in result.stdout
    for flag in ("--project", "--templates", "--static", "--static-url", "--settings"):
        assert not re.search(rf"^  (?:-\w, )?{flag}\b(?!-)", result.stdout, re.M), (flag, result.stdout)
    assert "--include-app-templates" in result.stdout


@pytest.mark.parametrize("flag", ["--templates", "--project", "--static", "--static-url"])
def test_options_the_settings_provide_are_refused_with_the_setting_named(site: Site, flag: str) -> None:
    result = site.manage("assetopt", "audit", flag, "x")
    # a usage error: exit 2, as the command line's; 1 means findings (a CI job would read "work pending")
    assert result.returncode == 2 and "comes from settings." in result.stderr, result.stderr


def test_verify_of_a_base_url_baseline_does_not_blame_settings_nobody_passed(site: Site) -> None:
    baseline = site.root / "before.json"
    site.manage("assetopt", "audit", "-q", "--json", str(baseline), check=True)
    data = json.loads(baseline.read_text())
    data["browser"] = {"base_url": "http://127.0.0.1:9", "pages": [{"url": "/", "spec": "/", "measure": {"screenshot": "home.png"}}]}
    baseline.write_text(json.dumps(data))
    (site.root / "before.screenshots").mkdir()
    (site.root / "before.screenshots" / "home.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = site.manage("assetopt", "verify", "--baseline", str(baseline), "--browser", "--no-throttle")
    assert "cannot go with --base-url" not in result.stderr, result.stderr


@needs_chromium
def test_audit_browser_renders_the_settings_pages_without_settings_flag(site: Site) -> None:
    out = site.root / "before.json"
    result = site.manage("assetopt", "audit", "-q", "--browser", "--no-throttle", "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    pages = json.loads(out.read_text())["browser"]["pages"]
    assert [p["url"] for p in pages] == ["/"]
    assert json.loads(out.read_text())["browser"]["settings"] == "mysite.settings"


@needs_chromium
def test_verify_browser_after_rewrite_write_and_collectstatic_passes_on_a_correct_site(site: Site) -> None:
    """Issue 12's proof on a fresh startproject site: the baseline, the rewrite in place, a deploy with
    collectstatic, then verify --browser: nothing is broken, so it exits 0 (no SRI block, no diff)."""
    before = site.root / "before.json"
    result = site.manage("assetopt", "audit", "-q", "--browser", "--no-throttle", "--json", str(before))
    assert result.returncode == 0, result.stdout + result.stderr
    result = site.manage("assetopt", "rewrite", "--write")
    assert result.returncode == 0, result.stdout + result.stderr
    result = site.manage("collectstatic", "--noinput")
    assert result.returncode == 0, result.stdout + result.stderr
    result = site.manage("assetopt", "verify", "--baseline", str(before), "--browser", "--no-throttle")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "blocked" not in result.stdout + result.stderr
