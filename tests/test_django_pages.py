"""``ASSETOPT["PAGES"]`` and ``ASSETOPT["USER"]``: the pages (URL paths or names) and the user that
``--browser`` runs use when no ``--url``/``--user`` is given; ``urls``/``user`` in ``[tool.assetopt]``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import django_settings
import pytest
from browser_support import REPO, needs_browser

from assetopt.config import config_to_toml, load_config
from assetopt.errors import ConfigError


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def settings(**kwargs: object):
    from django.test.utils import override_settings

    return override_settings(**kwargs)


def test_pages_and_user_map_to_the_config_and_survive_the_toml_hand_over(tmp_path: Path):
    from assetopt.contrib.django.project import config_from_settings

    with settings(ASSETOPT={"PAGES": ["/en/", "core:dashboard", "sales:order_detail:1001"], "USER": "demo"}, STATIC_ROOT=str(tmp_path / "out")):
        config = config_from_settings()
    assert (config.urls, config.user) == (("/en/", "core:dashboard", "sales:order_detail:1001"), "demo")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "assetopt.toml").write_text(config_to_toml(config))  # what manage.py assetopt hands the CLI
    back = load_config(tmp_path / "p")
    assert (back.urls, back.user) == (config.urls, config.user)


def test_defaults_are_no_pages_and_anonymous(tmp_path: Path):
    from assetopt.contrib.django.project import config_from_settings

    with settings(ASSETOPT={}, STATIC_ROOT=str(tmp_path / "out")):
        config = config_from_settings()
    assert (config.urls, config.user) == ((), "")


# A bad ASSETOPT['PAGES'] or ['USER']: test_django_storage.py, with every other bad ASSETOPT setting.


def test_urls_and_user_in_tool_assetopt(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\nurls = ["/", "core:dashboard"]\nuser = "demo"\n')
    config = load_config(tmp_path)
    assert (config.urls, config.user) == (("/", "core:dashboard"), "demo")
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\nurls = ["orders/"]\n')
    with pytest.raises(ConfigError, match=r"did you mean \"/orders/\""):
        load_config(tmp_path)


def test_browser_run_without_any_page_is_a_usage_error_naming_the_setting(tmp_path: Path):
    """No --url, no pages configured, outside this repository: a usage error that names the setting."""
    from click.testing import CliRunner

    from assetopt.cli import cli

    (tmp_path / "t").mkdir()
    (tmp_path / "s").mkdir()
    result = CliRunner().invoke(
        cli,
        [
            "optimize",
            "--project",
            str(tmp_path),
            "--templates",
            str(tmp_path / "t"),
            "--static",
            str(tmp_path / "s"),
            "--browser",
            "--settings",
            "x.settings",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 2 and "ASSETOPT['PAGES']" in result.output


@needs_browser
def test_manage_py_optimize_browser_renders_assetopt_pages_as_assetopt_user(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DJANGO_SETTINGS_MODULE="example_pages_settings", PYTHONPATH=os.pathsep.join([str(REPO / "example"), str(REPO / "tests"), str(REPO)]))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "manage.py", "assetopt", "optimize", "--browser", "--no-throttle", "--out", str(out), "--json", str(tmp_path / "v.json")],
        cwd=REPO / "example", env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr[-3000:]  # 1: a finding; a usage error (no pages) would be 2
    data = json.loads((tmp_path / "v.json").read_text())
    assert [entry["url"] for entry in data["browser"].values()] == ["/en/"], data["browser"].keys()  # core:dashboard, reversed
    snapshots = [p for p in (out / "snapshots").rglob("*.html")]
    assert snapshots and all("Demo Manager" in p.read_text() for p in snapshots)  # rendered as ASSETOPT["USER"]
